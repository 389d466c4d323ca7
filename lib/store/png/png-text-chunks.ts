import { crc32, inflateSync } from 'node:zlib';

/**
 * PNG text chunks (tEXt, iTXt; zTXt read only), written without re-encoding the image. sharp
 * reads these (`metadata().comments`) but cannot write them, hence this small codec.
 * Spec: https://www.w3.org/TR/png-3/#11textinfo
 */

export interface PngTextEntry {
  keyword: string;
  text: string;
}

export class PngFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngFormatError';
  }
}

const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const textChunkTypes: ReadonlySet<string> = new Set(['tEXt', 'zTXt', 'iTXt']);
/** 1–79 printable Latin-1 characters, no leading, trailing or double spaces (PNG's keyword rule). */
const keywordPattern = /^(?! )(?!.*  )[\x20-\x7e\xa1-\xff]{1,79}(?<! )$/;
const latin1Pattern = /^[\x00-\xff]*$/;

interface Chunk {
  type: string;
  /** Offsets in the file: the whole chunk (length field to CRC), and its data. */
  start: number;
  end: number;
  data: Uint8Array;
}

/**
 * A copy of `png` carrying `entries` as text chunks, placed right after IHDR (before the image
 * data, where readers that stop at IDAT, like Pillow's `Image.info`, still find them). Text chunks
 * already present under the same keywords are replaced. Latin-1 text is written as tEXt (what
 * AUTOMATIC1111 and most readers expect), anything else as uncompressed UTF-8 iTXt. NUL characters,
 * which neither chunk can hold, are dropped.
 */
export function withPngTextChunks(png: Uint8Array, entries: readonly PngTextEntry[]): Uint8Array {
  for (const { keyword } of entries) {
    if (!keywordPattern.test(keyword)) throw new RangeError(`Invalid PNG text keyword: ${JSON.stringify(keyword)}`);
  }
  const chunks = readChunks(png);
  const replaced = new Set(entries.map((entry) => entry.keyword));
  const kept = chunks.filter((chunk) => !(textChunkTypes.has(chunk.type) && replaced.has(decodeTextChunk(chunk).keyword)));
  const [header, ...rest] = kept;
  return Buffer.concat([
    signature,
    png.subarray(header!.start, header!.end),
    ...entries.map(encodeTextChunk),
    ...rest.map((chunk) => png.subarray(chunk.start, chunk.end)),
  ]);
}

/** Every text chunk of `png`, in file order. */
export function readPngTextChunks(png: Uint8Array): PngTextEntry[] {
  return readChunks(png)
    .filter((chunk) => textChunkTypes.has(chunk.type))
    .map(decodeTextChunk);
}

/** Splits a PNG into chunks, checking its structure (not the CRCs): signature, IHDR first, IEND last. */
function readChunks(png: Uint8Array): Chunk[] {
  if (png.length < signature.length || !signature.every((byte, position) => png[position] === byte)) {
    throw new PngFormatError('Not a PNG: bad signature');
  }
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  let offset = signature.length;
  while (offset < png.length) {
    if (offset + 12 > png.length) throw new PngFormatError('Truncated PNG chunk header');
    const length = view.getUint32(offset);
    const end = offset + 12 + length;
    if (end > png.length) throw new PngFormatError('Truncated PNG chunk');
    const type = Buffer.from(png.subarray(offset + 4, offset + 8)).toString('latin1');
    chunks.push({ type, start: offset, end, data: png.subarray(offset + 8, offset + 8 + length) });
    offset = end;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR' || chunks.at(-1)?.type !== 'IEND') throw new PngFormatError('PNG without IHDR first and IEND last');
  return chunks;
}

function encodeTextChunk({ keyword, text }: PngTextEntry): Uint8Array {
  const cleanText = text.replaceAll('\0', '');
  const isLatin1 = latin1Pattern.test(cleanText);
  const data = isLatin1
    ? Buffer.concat([Buffer.from(keyword, 'latin1'), Uint8Array.of(0), Buffer.from(cleanText, 'latin1')])
    : // keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty translated keyword + NUL, UTF-8 text
      Buffer.concat([Buffer.from(keyword, 'latin1'), Uint8Array.of(0, 0, 0, 0, 0), Buffer.from(cleanText, 'utf8')]);
  return encodeChunk(isLatin1 ? 'tEXt' : 'iTXt', data);
}

function encodeChunk(type: string, data: Uint8Array): Uint8Array {
  const typeBytes = Buffer.from(type, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  typeBytes.copy(chunk, 4);
  chunk.set(data, 8);
  chunk.writeUInt32BE(crc32(data, crc32(typeBytes)), 8 + data.length);
  return chunk;
}

function decodeTextChunk(chunk: Chunk): PngTextEntry {
  const data = Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength);
  const keywordEnd = data.indexOf(0);
  if (keywordEnd < 1) throw new PngFormatError(`${chunk.type} chunk without a keyword`);
  const keyword = data.toString('latin1', 0, keywordEnd);
  if (chunk.type === 'tEXt') return { keyword, text: data.toString('latin1', keywordEnd + 1) };
  if (chunk.type === 'zTXt') return { keyword, text: inflateSync(data.subarray(keywordEnd + 2)).toString('latin1') };
  const isCompressed = data[keywordEnd + 1] === 1;
  const languageEnd = data.indexOf(0, keywordEnd + 3);
  const translatedKeywordEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
  if (translatedKeywordEnd < 0) throw new PngFormatError('Malformed iTXt chunk');
  const textBytes = data.subarray(translatedKeywordEnd + 1);
  return { keyword, text: (isCompressed ? inflateSync(textBytes) : textBytes).toString('utf8') };
}
