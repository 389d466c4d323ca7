/** The image at `url` (one of ours, e.g. `/api/images/<id>`) as a File, to send as an input image again. */
export async function fetchImageFile(url: string, baseName: string): Promise<File> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const blob = await response.blob();
  const extension = { 'image/jpeg': 'jpg', 'image/webp': 'webp' }[blob.type] ?? 'png';
  return new File([blob], `${baseName}.${extension}`, { type: blob.type || 'image/png' });
}
