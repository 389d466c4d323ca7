/**
 * How the worker sleeps without polling: `wait` resolves on the next `notify` (or after the
 * timeout, the slow safety poll). A `notify` while nobody waits is remembered, so a wake-up that
 * lands between "found nothing to do" and "wait" is never lost.
 */
export interface Wakeup {
  notify(): void;
  wait(timeoutMs: number): Promise<void>;
}

export function createWakeup(): Wakeup {
  let isPending = false;
  let wakeWaiter: (() => void) | undefined;
  return {
    notify() {
      if (wakeWaiter) wakeWaiter();
      else isPending = true;
    },
    wait(timeoutMs) {
      if (isPending) {
        isPending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          wakeWaiter = undefined;
          resolve();
        };
        const timer = setTimeout(wake, timeoutMs);
        // The safety poll alone never keeps a process alive.
        timer.unref?.();
        wakeWaiter = wake;
      });
    },
  };
}
