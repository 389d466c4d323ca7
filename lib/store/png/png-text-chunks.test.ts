import sharp from 'sharp';
import { crc32, deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { PngFormatError, readPngTextChunks, withPngTextChunks } from './png-text-chunks';

let png: Buffer;

beforeAll(async () => {
  png = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#336699' } }).png().toBuffer();
});

/** Chunk types in order, each with whether its stored CRC is right. */
function chunkList(bytes: Uint8Array): { type: string; isCrcValid: boolean }[] {
  const buffer = Buffer.from(bytes);
  const chunks = [];
  for (let offset = 8; offset < buffer.length; ) {
    const length = buffer.readUInt32BE(offset);
    const typeAndData = buffer.subarray(offset + 4, offset + 8 + length);
    const storedCrc = buffer.readUInt32BE(offset + 8 + length);
    chunks.push({ type: typeAndData.toString('latin1', 0, 4), isCrcValid: crc32(typeAndData) === storedCrc });
    offset += 12 + length;
  }
  return chunks;
}

describe('withPngTextChunks', () => {
  it('adds tEXt chunks right after IHDR, with correct CRCs, that sharp reads back', async () => {
    const parameters = 'a red fox\nProvider: demo, Model: demo-1, Aspect ratio: "1:1"';
    const tagged = withPngTextChunks(png, [
      { keyword: 'prompt', text: 'a red fox' },
      { keyword: 'parameters', text: parameters },
    ]);

    expect(chunkList(tagged).slice(0, 3)).toEqual([
      { type: 'IHDR', isCrcValid: true },
      { type: 'tEXt', isCrcValid: true },
      { type: 'tEXt', isCrcValid: true },
    ]);
    expect(chunkList(tagged).every((chunk) => chunk.isCrcValid)).toBe(true);
    const metadata = await sharp(tagged).metadata();
    expect(metadata.comments).toEqual([
      { keyword: 'prompt', text: 'a red fox' },
      { keyword: 'parameters', text: parameters },
    ]);
    expect(metadata).toMatchObject({ format: 'png', width: 4, height: 3 });
    const { data } = await sharp(tagged).raw().toBuffer({ resolveWithObject: true });
    expect(data).toEqual((await sharp(png).raw().toBuffer({ resolveWithObject: true })).data);
  });

  it('writes text beyond Latin-1 as UTF-8 iTXt', async () => {
    const text = '富士山の夜明け, ünïcödé 🦊';
    const tagged = withPngTextChunks(png, [{ keyword: 'prompt', text }]);

    expect(chunkList(tagged)[1]).toEqual({ type: 'iTXt', isCrcValid: true });
    expect(readPngTextChunks(tagged)).toEqual([{ keyword: 'prompt', text }]);
    expect((await sharp(tagged).metadata()).comments).toEqual([{ keyword: 'prompt', text }]);
  });

  it('replaces text chunks with the same keyword and keeps the others', () => {
    const once = withPngTextChunks(png, [
      { keyword: 'prompt', text: 'old' },
      { keyword: 'Software', text: 'provider' },
    ]);
    const twice = withPngTextChunks(once, [{ keyword: 'prompt', text: 'new' }]);
    expect(readPngTextChunks(twice)).toEqual([
      { keyword: 'prompt', text: 'new' },
      { keyword: 'Software', text: 'provider' },
    ]);
  });

  it('drops NUL characters, which no text chunk can hold', () => {
    expect(readPngTextChunks(withPngTextChunks(png, [{ keyword: 'prompt', text: 'a\0b' }]))).toEqual([{ keyword: 'prompt', text: 'ab' }]);
  });

  it('rejects keywords PNG does not allow', () => {
    for (const keyword of ['', ' lead', 'trail ', 'two  spaces', 'x'.repeat(80), 'nul\0', 'é€']) {
      expect(() => withPngTextChunks(png, [{ keyword, text: 'x' }]), keyword).toThrow(RangeError);
    }
  });

  it('rejects what is not a whole PNG', () => {
    expect(() => withPngTextChunks(Buffer.from('GIF89a'), [])).toThrow(PngFormatError);
    expect(() => withPngTextChunks(png.subarray(0, png.length - 6), [])).toThrow(PngFormatError);
  });
});

describe('readPngTextChunks', () => {
  it('reads compressed zTXt and iTXt chunks too', () => {
    const chunk = (type: string, data: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(data.length, 0);
      head.write(type, 4, 'latin1');
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
      return Buffer.concat([head, data, crc]);
    };
    const zText = chunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), deflateSync(Buffer.from('squeezed', 'latin1'))]));
    const iTextHead = Buffer.from('Title\0\x01\0en\0Titel\0', 'latin1');
    const iText = chunk('iTXt', Buffer.concat([iTextHead, deflateSync(Buffer.from('ça va', 'utf8'))]));
    const headerEnd = 8 + 25;
    const withChunks = Buffer.concat([png.subarray(0, headerEnd), zText, iText, png.subarray(headerEnd)]);

    expect(readPngTextChunks(withChunks)).toEqual([
      { keyword: 'Comment', text: 'squeezed' },
      { keyword: 'Title', text: 'ça va' },
    ]);
  });
});
