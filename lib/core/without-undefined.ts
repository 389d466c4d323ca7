/**
 * The object without its keys whose value is undefined, so that `{ key: undefined }` means the same
 * as a missing key (defaults apply; optional fields stay absent).
 */
export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
