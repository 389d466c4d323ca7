/**
 * Runs async work one at a time per key, in call order; different keys run concurrently.
 * A failed run does not block the next one.
 */
export interface KeyedMutex {
  run<Result>(key: string, work: () => Promise<Result>): Promise<Result>;
}

export function createKeyedMutex(): KeyedMutex {
  const tails = new Map<string, Promise<void>>();
  return {
    run(key, work) {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(() => work());
      const tail = result.then(ignore, ignore);
      tails.set(key, tail);
      // Forget settled keys, so the map only holds keys with work pending.
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}

function ignore(): void {}
