/**
 * True for the errors of a full (or read-only, or over-quota) disk, from the file system
 * (`ENOSPC`, `EDQUOT`, `EROFS`) or SQLite (`SQLITE_FULL`): waiting and freeing space cure them,
 * retrying at once does not.
 */
export function isStorageFullError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, message, errstr } = current as { code?: unknown; message?: unknown; errstr?: unknown };
    if (typeof code === 'string' && storageFullCodes.has(code)) return true;
    const text = `${typeof message === 'string' ? message : ''} ${typeof errstr === 'string' ? errstr : ''}`;
    if (/SQLITE_FULL|database or disk is full/i.test(text)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const storageFullCodes = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'ERR_SQLITE_FULL']);
