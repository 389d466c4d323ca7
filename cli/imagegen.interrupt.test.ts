import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useImagegenWorkspace } from './testing/run-imagegen';

const listImages = async (directory: string) => (await readdir(directory)).filter((name) => !name.endsWith('.partial')).sort();

describe('imagegen: Ctrl-C and resume', () => {
  it('SIGINT cancels the batch, keeps the images made, prints the resume command and exits 130; resume finishes it', async () => {
    // Slow enough that Ctrl-C lands mid-batch: one image every ~200 ms.
    const workspace = await useImagegenWorkspace({ DEMO_LATENCY_MS: '200' });
    const running = workspace.start(['a lighthouse at dusk', '-n', '6', '--out', 'images']);
    await running.waitForStderr(/saved images\/002-/);
    running.child.kill('SIGINT');
    const code = await running.exited;

    const stderr = running.stderr();
    expect(code, stderr).toBe(130);
    const batchId = stderr.match(/^Batch ([\w-]+):/m)![1]!;
    expect(stderr).toContain('Canceling: calls in flight are aborted, images made are kept');
    expect(stderr).toContain(`Canceled. Continue with: imagegen resume ${batchId} --out images`);
    const kept = await listImages(join(workspace.cwd, 'images'));
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(kept.length).toBeLessThan(6);
    expect(stderr).toMatch(new RegExp(`^${kept.length} of 6 images saved in images, ${6 - kept.length} canceled \\(batch ${batchId}, canceled\\)\\.$`, 'm'));

    const resumed = await workspace.run(['resume', batchId, '--out', 'images'], { DEMO_LATENCY_MS: '0' });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`Batch ${batchId}: ${6 - kept.length} images to run again, into images`);
    expect(resumed.stderr).toContain(`6 of 6 images saved in images (batch ${batchId}, completed).`);
    expect(await listImages(join(workspace.cwd, 'images'))).toEqual([1, 2, 3, 4, 5, 6].map((index) => `00${index}-a-lighthouse-at-dusk.png`));
  });

  it('resume runs the failed images again and writes the images of the earlier run that are missing', async () => {
    const workspace = await useImagegenWorkspace({ DEMO_FAIL_INDEXES: '2', DEMO_FAIL_KIND: 'transient', RETRY_MAX_ATTEMPTS: '1' });
    const first = await workspace.run(['a fox', '-n', '3', '--out', 'first']);
    expect(first.code, first.stderr).toBe(2);
    const batchId = first.stderr.match(/^Batch ([\w-]+):/m)![1]!;

    const resumed = await workspace.run(['resume', batchId, '--out', 'second', '--json'], { DEMO_FAIL_INDEXES: '' });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await listImages(join(workspace.cwd, 'second'))).toEqual(['001-a-fox.png', '002-a-fox.png', '003-a-fox.png']);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ batchId, success: 3, failed: 0 });
  });

  it('a second Ctrl-C quits without waiting for the calls being aborted; resume still completes the batch', async () => {
    const workspace = await useImagegenWorkspace({ DEMO_LATENCY_MS: '300' });
    const running = workspace.start(['a fox', '-n', '4', '--out', 'images']);
    await running.waitForStderr(/saved images\/001-/);
    running.child.kill('SIGINT');
    running.child.kill('SIGINT');
    const code = await running.exited;
    expect(code, running.stderr()).toBe(130);
    const batchId = running.stderr().match(/^Batch ([\w-]+):/m)![1]!;
    expect(running.stderr()).toContain(`Continue with: imagegen resume ${batchId} --out images`);

    const resumed = await workspace.run(['resume', batchId, '--out', 'images'], { DEMO_LATENCY_MS: '0' });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await listImages(join(workspace.cwd, 'images'))).toEqual([1, 2, 3, 4].map((index) => `00${index}-a-fox.png`));
  });
});
