import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { crc32, readZip } from '../../lambda/core/zip';
import { zipDirectory } from '../../cli/zip';

/**
 * The handler's ZIP reader (a users file arrives as the ZIP CDK makes of its directory asset),
 * against archives other tools wrote: Info-ZIP's `zip` (test/fixtures/zip/info-zip.zip) and
 * Python's zipfile writing to a stream (data descriptors after each entry, a directory entry,
 * a stored entry: streamed.zip), and the runner's own zipper.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'zip');
const CSV = 'username,firstName\nann@example.com,Ann\nbob@example.com,"Jones, Jr"\n';

test('an archive made by Info-ZIP', () => {
  const files = readZip(fs.readFileSync(path.join(FIXTURES, 'info-zip.zip')));
  expect([...files.keys()]).toEqual(['users.csv']);
  expect(files.get('users.csv')!.toString('utf8')).toBe(CSV);
});

test('a streamed archive: sizes only in data descriptors and the central directory, a directory entry, a stored entry', () => {
  const files = readZip(fs.readFileSync(path.join(FIXTURES, 'streamed.zip')));
  expect([...files.keys()]).toEqual(['users.csv', 'nested/stored.json']);
  expect(files.get('users.csv')!.toString('utf8')).toBe(CSV);
  expect(files.get('nested/stored.json')!.toString('utf8')).toBe('[{"username":"cai@example.com"}]');
});

test("the runner's zipper (the CDK CLI's zip-directory): what it packs reads back, byte for byte, and the same directory makes the same archive", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-'));
  try {
    fs.writeFileSync(path.join(dir, 'users.csv'), CSV);
    fs.mkdirSync(path.join(dir, 'sub'));
    const binary = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
    fs.writeFileSync(path.join(dir, 'sub', 'data.bin'), binary);
    const archive = zipDirectory(dir);
    const files = readZip(archive);
    expect([...files.keys()]).toEqual(['sub/data.bin', 'users.csv']);
    expect(files.get('users.csv')!.toString('utf8')).toBe(CSV);
    expect(files.get('sub/data.bin')!.equals(binary)).toBe(true);
    expect(zipDirectory(dir).equals(archive)).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('what is not a readable archive is refused with the reason', () => {
  expect(() => readZip(Buffer.from(CSV))).toThrow(/not a readable ZIP archive: no end of central directory record/);
  const archive = fs.readFileSync(path.join(FIXTURES, 'streamed.zip'));
  const damaged = Buffer.from(archive);
  // A byte of the first entry's data, just after its local header, changed.
  damaged[30 + damaged.readUInt16LE(26) + damaged.readUInt16LE(28) + 3] ^= 0xff;
  expect(() => readZip(damaged)).toThrow(/not a readable ZIP archive: users\.csv (does not match its size and CRC-32|does not inflate)/);
  expect(() => readZip(archive.subarray(0, archive.length - 30))).toThrow(/not a readable ZIP archive/);
});

test('crc32 is the IEEE one ZIP records', () => {
  expect(crc32(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
  expect(crc32(Buffer.alloc(0))).toBe(0);
});
