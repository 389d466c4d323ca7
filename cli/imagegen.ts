/**
 * The `imagegen` command (bin/imagegen.mjs runs it on Node 24): parses the command line, runs the
 * batch here or on a server, exits with the code `imagegen --help` documents.
 */
import { CommanderError } from 'commander';
import type { BatchClient } from './batch-client';
import { exitCodes } from './exit-codes';
import { createProgram, type Invocation } from './program';
import { createRemoteBatchClient } from './remote-batch-client';
import { generate, resume } from './run-batch';
import { isUsageError } from './usage-error';

// The server's JSON-lines log would mix with the command's own output (and --json's body).
process.env.LOG_LEVEL = 'silent';

async function run(invocation: Invocation): Promise<number> {
  let client: BatchClient | undefined;
  try {
    const { serverUrl } = invocation.run;
    // The engine, store and providers load only when the batch runs here: --server needs none of them.
    client =
      serverUrl === undefined
        ? (await import('./local-batch-client')).createLocalBatchClient()
        : createRemoteBatchClient(serverUrl, process.env.IMAGEGEN_TOKEN || undefined);
    const settings = { client, ...invocation.run, stdout: process.stdout, stderr: process.stderr };
    return invocation.command === 'generate' ? await generate(invocation.request, settings) : await resume(invocation.batchId, settings);
  } catch (error) {
    process.stderr.write(`imagegen: ${error instanceof Error ? error.message : String(error)}\n`);
    if (isUsageError(error)) {
      process.stderr.write('(imagegen --help lists every option)\n');
      return exitCodes.usage;
    }
    return exitCodes.noneSucceeded;
  } finally {
    await client?.close().catch(() => undefined);
  }
}

let exitCode: number = exitCodes.usage;
const program = createProgram(process.env, async (invocation) => {
  exitCode = await run(invocation);
}).exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // --help and --version end with code 0; every other parse error is bad usage, already explained.
  exitCode = error.exitCode === 0 ? exitCodes.allSucceeded : exitCodes.usage;
}
// The engine's timers (pacing, retention, leases) must not keep a finished command alive.
process.exit(exitCode);
