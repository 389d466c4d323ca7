/** Recognises the common image formats by their first bytes (what they are, whatever a provider said). */
export function detectImageMimeType(bytes: Uint8Array): string | undefined {
  const startsWith = (signature: readonly number[], offset = 0) =>
    bytes.length >= offset + signature.length && signature.every((byte, position) => bytes[offset + position] === byte);
  const ascii = (text: string) => [...text].map((character) => character.charCodeAt(0));

  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(ascii('RIFF')) && startsWith(ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(ascii('GIF87a')) || startsWith(ascii('GIF89a'))) return 'image/gif';
  if (startsWith(ascii('ftypavif'), 4) || startsWith(ascii('ftypavis'), 4)) return 'image/avif';
  return undefined;
}
