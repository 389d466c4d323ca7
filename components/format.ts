/** "4 s", "1 min 05 s": short durations for ETA, elapsed time and retry waits. */
export function formatDuration(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
}

const extensionByMimeType: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/** image-2.png */
export function imageFileName(index: number, mimeType: string): string {
  return `image-${index}.${extensionByMimeType[mimeType] ?? 'png'}`;
}

/** 14:05:09 */
export function formatTime(timestamp: number): string {
  return new Date(timestamp).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "0 B", "512 B", "14 KB", "23.4 MB", "1.2 GB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** "1 batch", "12 batches". */
export function countOf(count: number, singular: string, plural: string): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : plural}`;
}

/** "12 batches · 48 images · 23.4 MB", and how long finished batches are kept when the server says. */
export function describeStorage(usage: { batchCount: number; imageCount: number; imageBytes: number; retentionDays?: number }): string {
  const parts = [countOf(usage.batchCount, 'batch', 'batches'), countOf(usage.imageCount, 'image', 'images'), formatBytes(usage.imageBytes)];
  if (usage.retentionDays !== undefined) parts.push(`kept ${countOf(usage.retentionDays, 'day', 'days')}`);
  return parts.join(' · ');
}

/** 14:05:09 today; "3 Jun, 14:05" (in the reader's locale) on another day. */
export function formatWhen(timestamp: number, now: number = Date.now()): string {
  const date = new Date(timestamp);
  if (date.toDateString() === new Date(now).toDateString()) return formatTime(timestamp);
  return date.toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
