import { inflateRawSync } from 'zlib';

/**
 * Reads the files of a ZIP archive (an asset CDK zipped from a directory, as a users file
 * travels so that StackSets can take it), with node's zlib only. The central directory at the
 * end gives each entry's sizes and offset, so entries written with a data descriptor (as
 * streaming zippers do, CDK's among them) read like any other. Stored and deflated entries;
 * every entry's CRC-32 is checked. Not ZIP64 (a users file is far below 4 GB) and not
 * encrypted entries: such an archive is refused with the reason.
 */

export class ZipError extends Error {
  constructor(message: string) {
    super(`not a readable ZIP archive: ${message}`);
    this.name = 'ZipError';
  }
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/** The CRC-32 (IEEE 802.3) of `data`, as ZIP records it. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8)) >>> 0;
  return (crc ^ 0xffffffff) >>> 0;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** Every file of the archive by its name (directories left out). */
export function readZip(archive: Buffer): Map<string, Buffer> {
  const end = findEndOfCentralDirectory(archive);
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > archive.length || archive.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new ZipError(`central directory entry ${i} is damaged`);
    const flags = archive.readUInt16LE(at + 8);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const compressedSize = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const localHeader = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (flags & 1) throw new ZipError(`${name} is encrypted`);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localHeader === 0xffffffff) throw new ZipError(`${name} needs ZIP64`);
    if (localHeader + 30 > archive.length || archive.readUInt32LE(localHeader) !== LOCAL_FILE_HEADER) throw new ZipError(`the local header of ${name} is damaged`);
    const start = localHeader + 30 + archive.readUInt16LE(localHeader + 26) + archive.readUInt16LE(localHeader + 28);
    const raw = archive.subarray(start, start + compressedSize);
    if (raw.length !== compressedSize) throw new ZipError(`${name} is cut short`);
    let data: Buffer;
    if (method === STORED) data = Buffer.from(raw);
    else if (method === DEFLATED) {
      try {
        data = inflateRawSync(raw);
      } catch (err) {
        throw new ZipError(`${name} does not inflate (${(err as Error).message})`);
      }
    } else throw new ZipError(`${name} uses compression method ${method} (only stored and deflated are read)`);
    if (data.length !== size || crc32(data) !== crc) throw new ZipError(`${name} does not match its size and CRC-32`);
    files.set(name, data);
  }
  return files;
}

/** The end of central directory record: the last 22 bytes, or further back past a comment. */
function findEndOfCentralDirectory(archive: Buffer): number {
  for (let at = archive.length - 22; at >= Math.max(0, archive.length - 22 - 0xffff); at--) {
    if (archive.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw new ZipError('no end of central directory record');
}
