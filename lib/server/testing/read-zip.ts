import { crc32 } from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  size: number;
  /** The entry's bytes (stored entries only; empty for others). */
  data: Buffer;
  /** Whether the stored bytes match the CRC-32 the central directory declares. */
  isCrcValid: boolean;
}

/**
 * A minimal ZIP reader for tests (no zip library is installed): the end of central directory, then
 * each central directory record and its local header. Enough to check what yazl writes.
 */
export function readZip(zip: Buffer): ZipEntry[] {
  const endOffset = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOffset === -1) throw new Error('No end of central directory record: not a ZIP');
  const entryCount = zip.readUInt16LE(endOffset + 10);
  let offset = zip.readUInt32LE(endOffset + 16);
  const entries: ZipEntry[] = [];
  for (let entry = 0; entry < entryCount; entry += 1) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`Bad central directory record at ${offset}`);
    const method = zip.readUInt16LE(offset + 10);
    const crc = zip.readUInt32LE(offset + 16);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;

    if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`Bad local header for ${name}`);
    const dataOffset = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const data = method === 0 ? zip.subarray(dataOffset, dataOffset + compressedSize) : Buffer.alloc(0);
    entries.push({ name, method, size, data, isCrcValid: method === 0 && crc32(data) === crc });
  }
  return entries;
}
