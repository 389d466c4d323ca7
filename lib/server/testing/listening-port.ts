import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Resolves the port a `batch-server-process.ts` child says it listens on (its JSON line
 * `{"event":"listening","port":…}` on stdout); rejects when it exits first or takes longer than
 * `timeoutMs`, with the end of its stderr (`stderrOf` reads it as it is by then).
 */
export function listeningPortOf(child: ChildProcess, timeoutMs: number, stderrOf: () => string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The server did not start within ${timeoutMs} ms:\n${stderrOf()}`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The server exited with ${code} before listening:\n${stderrOf()}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const message = JSON.parse(line) as { event?: string; port?: number };
        if (message.event === 'listening' && message.port) {
          clearTimeout(timer);
          resolve(message.port);
        }
      } catch {
        // Not ours: other output on stdout.
      }
    });
  });
}
