import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPassword, hashSecret, newApiToken } from '@/lib/auth';
import { closedLocalUrl } from '@/lib/providers/testing';
import { createSqliteAccountStore, databaseFileName } from '@/lib/store';
import { spawnBatchServer } from '@/lib/server/testing/spawn-batch-server';
import { useImagegenWorkspace } from './testing/run-imagegen';

/**
 * `--server`: the command sends the batch to a running server (a real server process serving the
 * batch API, with its own DATA_DIR) and follows its events, downloading each image.
 */

const listImages = async (directory: string) => (await readdir(directory)).sort();

/** A server DATA_DIR holding one user and an API token of theirs: the server then requires sign-in. */
async function dataDirectoryWithToken(directory: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  const accounts = createSqliteAccountStore({ filePath: join(directory, databaseFileName) });
  try {
    const user = await accounts.createUser({ username: 'ada', passwordHash: await hashPassword('correct horse battery'), role: 'user' });
    const secret = newApiToken();
    await accounts.createToken({ userId: user.id, name: 'cli', secretHash: hashSecret(secret) });
    return secret;
  } finally {
    await accounts.close();
  }
}

describe('imagegen --server', () => {
  it('submits to the server, follows its events, downloads each image; its failure and exit code as here', async () => {
    const workspace = await useImagegenWorkspace();
    const server = await spawnBatchServer({ DATA_DIR: join(workspace.cwd, 'server-data'), IMAGE_PROVIDER: 'demo', PACING_MIN_INTERVAL_MS: '0', DEMO_FAIL_INDEXES: '3' });
    const result = await workspace.run(['a lighthouse', '-n', '3', '--server', server.baseUrl, '--out', 'images', '--json']);

    expect(result.code, result.stderr).toBe(2);
    expect(await listImages(join(workspace.cwd, 'images'))).toEqual(['001-a-lighthouse.png', '002-a-lighthouse.png']);
    expect(result.stderr).toMatch(/^\[\d\/3\] image 3 failed: safety_blocked: /m);
    const body = JSON.parse(result.stdout) as { batchId: string };
    expect(body).toMatchObject({ success: 2, failed: 1, errors: [{ index: 3 }] });
    expect(result.stderr).toContain(`imagegen resume ${body.batchId} --out images --server ${server.baseUrl}`);
    // The batch is the server's: this machine's DATA_DIR was never opened.
    await expect(readdir(workspace.dataDirectory)).rejects.toThrow(/ENOENT/);
  });

  it('Ctrl-C cancels the batch on the server and keeps what was downloaded; resume --server finishes it', async () => {
    const workspace = await useImagegenWorkspace();
    const server = await spawnBatchServer({ DATA_DIR: join(workspace.cwd, 'server-data'), IMAGE_PROVIDER: 'demo', PACING_MIN_INTERVAL_MS: '0', DEMO_LATENCY_MS: '200' });
    const running = workspace.start(['a fox', '-n', '5', '--server', server.baseUrl, '--out', 'images']);
    await running.waitForStderr(/saved images\/001-/);
    running.child.kill('SIGINT');
    expect(await running.exited, running.stderr()).toBe(130);
    const batchId = running.stderr().match(/^Batch ([\w-]+):/m)![1]!;
    expect(running.stderr()).toContain(`Canceled. Continue with: imagegen resume ${batchId} --out images --server ${server.baseUrl}`);
    const canceled = (await (await fetch(`${server.baseUrl}/api/batches/${batchId}`)).json()) as { status: string; succeeded: number };
    expect(canceled.status).toBe('canceled');
    expect((await listImages(join(workspace.cwd, 'images'))).length).toBe(canceled.succeeded);

    const resumed = await workspace.run(['resume', batchId, '--out', 'images', '--server', server.baseUrl]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await listImages(join(workspace.cwd, 'images'))).toEqual([1, 2, 3, 4, 5].map((index) => `00${index}-a-fox.png`));
  });

  it('IMAGEGEN_SERVER and IMAGEGEN_TOKEN: the token goes as a Bearer token; without it the server says to set it (64)', async () => {
    const workspace = await useImagegenWorkspace();
    const serverData = join(workspace.cwd, 'server-data');
    const token = await dataDirectoryWithToken(serverData);
    const server = await spawnBatchServer({ DATA_DIR: serverData, IMAGE_PROVIDER: 'demo', PACING_MIN_INTERVAL_MS: '0' });

    const refused = await workspace.run(['a fox'], { IMAGEGEN_SERVER: server.baseUrl });
    expect(refused.code, refused.stderr).toBe(64);
    expect(refused.stderr).toMatch(/The server refused the request \(401\): .* Set IMAGEGEN_TOKEN/);

    const result = await workspace.run(['a fox', '-n', '2', '--out', 'images'], { IMAGEGEN_SERVER: server.baseUrl, IMAGEGEN_TOKEN: token });
    expect(result.code, result.stderr).toBe(0);
    expect(await listImages(join(workspace.cwd, 'images'))).toEqual(['001-a-fox.png', '002-a-fox.png']);
  });

  it('a request the server refuses is bad usage (64), named by option', async () => {
    const workspace = await useImagegenWorkspace();
    const server = await spawnBatchServer({ DATA_DIR: join(workspace.cwd, 'server-data'), IMAGE_PROVIDER: 'demo' });
    const result = await workspace.run(['a fox', '--size', '9K', '--server', server.baseUrl]);
    expect(result.code, result.stderr).toBe(64);
    expect(result.stderr).toMatch(/imagegen: --size: size must be/);
  });

  it('an unreachable server is an error (1) that names it', async () => {
    const workspace = await useImagegenWorkspace();
    const closed = await closedLocalUrl();
    const result = await workspace.run(['a fox', '--server', closed]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`Cannot reach the server at ${new URL(closed).origin}: `);
  });
});
