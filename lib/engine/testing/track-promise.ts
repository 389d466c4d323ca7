/** Observes a promise without awaiting it, so tests can assert "not yet" under fake timers. */
export interface TrackedPromise<T> {
  readonly isSettled: boolean;
  readonly value: T | undefined;
  readonly error: unknown;
  readonly promise: Promise<T>;
}

export function trackPromise<T>(promise: Promise<T>): TrackedPromise<T> {
  const tracked = { isSettled: false, value: undefined as T | undefined, error: undefined as unknown, promise };
  promise.then(
    (value) => Object.assign(tracked, { isSettled: true, value }),
    (error: unknown) => Object.assign(tracked, { isSettled: true, error }),
  );
  return tracked;
}
