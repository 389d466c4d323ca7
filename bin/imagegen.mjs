#!/usr/bin/env node
/**
 * The `imagegen` launcher (package.json "bin"): runs cli/imagegen.ts on Node 24 with the project's
 * TypeScript hooks, no build step. On an older global Node it re-runs itself on the Node 24 the
 * project pins as a dev dependency (node_modules/node), passing the arguments, the exit code and
 * signals through.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const projectRoot = new URL('../', import.meta.url);
const entry = new URL('cli/imagegen.ts', projectRoot);
const hooks = new URL('lib/server/testing/typescript-hooks.mjs', projectRoot);
const requiredMajor = 24;

if (Number(process.versions.node.split('.')[0]) >= requiredMajor) {
  await import(hooks.href);
  await import(entry.href);
} else {
  const pinnedNode = fileURLToPath(new URL('node_modules/node/bin/node', projectRoot));
  if (!existsSync(pinnedNode)) {
    console.error(`imagegen needs Node.js ${requiredMajor} or later (this is ${process.version}): run npm ci in ${fileURLToPath(projectRoot)} to get it.`);
    process.exit(1);
  }
  const child = spawn(pinnedNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C on a terminal reaches both processes (one process group): the child handles it. A
  // signal sent to this process alone (kill -INT <pid>) is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (!process.stdin.isTTY || signal !== 'SIGINT') child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
}
