import { crc32, inflateRawSync } from 'node:zlib';
import { zip } from '../../../constructs/mail/zip';

/** Reads the entries back from the central directory, as unzip would. */
function entries(archive: Buffer) {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const out: Array<{ name: string; data: Buffer; date: number }> = [];
  for (let i = 0; i < count; i++) {
    expect(archive.readUInt32LE(at)).toBe(0x02014b50);
    const size = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + archive.readUInt16LE(local + 26);
    const data = inflateRawSync(archive.subarray(dataStart, dataStart + size));
    expect(crc32(data)).toBe(archive.readUInt32LE(at + 16));
    out.push({ name, data, date: archive.readUInt16LE(at + 14) });
    at += 46 + nameLength;
  }
  return out;
}

describe('zip', () => {
  const files = [{ name: 'worker.js', data: Buffer.from('exports.handler = async () => "ok";\n'.repeat(50)) }, { name: 'README', data: Buffer.from('日本語') }];

  it('holds the files, readable back with matching CRCs', () => {
    expect(entries(zip(files)).map((e) => [e.name, e.data.toString()])).toEqual(files.map((f) => [f.name, f.data.toString()]));
  });

  it('is byte-for-byte the same for the same input, with no wall-clock time in it', () => {
    expect(zip(files).equals(zip(files))).toBe(true);
    expect(entries(zip(files)).map((e) => e.date)).toEqual([33, 33]); // 1980-01-01
    expect(zip([{ ...files[0], data: Buffer.from('other') }]).equals(zip(files.slice(0, 1)))).toBe(false);
  });
});
