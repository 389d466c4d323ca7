// A real S3-compatible server (s3rver, over HTTP on 127.0.0.1) in its own process, for tests:
// `node s3rver-process.mjs <directory>` listens on a free port, prints {"port":N} on one line, and
// exits when its standard input closes (the test, or the test runner, went away) or on SIGTERM.
// Plain JavaScript: s3rver ships no types, and this file is run by node, never imported.
import S3rver from 's3rver';

const directory = process.argv[2];
if (!directory) {
  console.error('usage: node s3rver-process.mjs <directory>');
  process.exit(2);
}
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);

const stop = () => {
  server.close().finally(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
