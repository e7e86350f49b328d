import * as fs from 'fs';
import * as path from 'path';
import { deflateRawSync } from 'zlib';
import { crc32 } from '../lambda/core/zip';

/**
 * The CDK CLI's packaging of a directory asset (`zip-directory`): every file under the
 * directory, by its path relative to it, deflated, in name order with a fixed timestamp, so
 * the same directory always makes the same archive. A ZIP the handler's reader
 * (`lambda/core/zip.ts`) and any unzip tool read.
 */
export function zipDirectory(dir: string): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const name of filesUnder(dir)) {
    const data = fs.readFileSync(path.join(dir, ...name.split('/')));
    const packed = deflateRawSync(data);
    const fileName = Buffer.from(name, 'utf8');
    // Version 2.0, UTF-8 names (flag bit 11), deflated, 1980-01-01 00:00.
    const common = (header: Buffer, at: number) => {
      header.writeUInt16LE(20, at);
      header.writeUInt16LE(0x0800, at + 2);
      header.writeUInt16LE(8, at + 4);
      header.writeUInt16LE(0, at + 6);
      header.writeUInt16LE(0x21, at + 8);
      header.writeUInt32LE(crc32(data), at + 10);
      header.writeUInt32LE(packed.length, at + 14);
      header.writeUInt32LE(data.length, at + 18);
      header.writeUInt16LE(fileName.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    common(local, 4);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    common(central, 6);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, packed);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The files under `dir`, as `/`-separated paths relative to it, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const name = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? filesUnder(dir, name) : entry.isFile() ? [name] : [];
    })
    .sort();
}
