import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyPng } from '@/lib/providers/testing';
import { useImagegenWorkspace } from './testing/run-imagegen';

/** The real command as a child process, on the demo provider (fast: no latency, no pacing gap). */

const listImages = async (directory: string) => (await readdir(directory)).filter((name) => !name.endsWith('.partial')).sort();

describe('imagegen on the demo provider', () => {
  it('writes each image as <index>-<prompt>.png, prints one plain line per image (stderr not a TTY) and exits 0', async () => {
    const workspace = await useImagegenWorkspace();
    const result = await workspace.run(['a lighthouse at dusk', '-n', '3', '--out', 'images']);

    expect(result.code, result.stderr).toBe(0);
    expect(await listImages(join(workspace.cwd, 'images'))).toEqual([
      '001-a-lighthouse-at-dusk.png',
      '002-a-lighthouse-at-dusk.png',
      '003-a-lighthouse-at-dusk.png',
    ]);
    const png = await readFile(join(workspace.cwd, 'images', '001-a-lighthouse-at-dusk.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(result.stderr).toMatch(/^Batch [\w-]+: 3 images on demo\/\S+ \(demo: pictures drawn offline, not AI\), into images$/m);
    for (const index of [1, 2, 3]) expect(result.stderr).toMatch(new RegExp(`^\\[\\d/3\\] saved images/00${index}-a-lighthouse-at-dusk\\.png`, 'm'));
    expect(result.stderr).toMatch(/^3 of 3 images saved in images \(batch [\w-]+, completed\)\.$/m);
    // No escape codes: plain lines for a log.
    expect(result.stderr).not.toContain('\u001b[');
    expect(result.stdout).toBe('');
  });

  it('shows the ETA once an image has finished', async () => {
    const workspace = await useImagegenWorkspace({ DEMO_LATENCY_MS: '50' });
    const result = await workspace.run(['a fox', '-n', '3', '--out', 'out']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^\[1\/3\] saved out\/001-a-fox\.png · ETA \d+(ms|s)$/m);
  });

  it('exits 2 when some images fail, names each failure and says how to run them again', async () => {
    const workspace = await useImagegenWorkspace({ DEMO_FAIL_INDEXES: '2' });
    const result = await workspace.run(['a red fox', '-n', '3', '--out', 'images']);

    expect(result.code, result.stderr).toBe(2);
    expect(await listImages(join(workspace.cwd, 'images'))).toEqual(['001-a-red-fox.png', '003-a-red-fox.png']);
    expect(result.stderr).toMatch(/^\[\d\/3\] image 2 failed: safety_blocked: Blocked by the safety filter$/m);
    const batchId = result.stderr.match(/^Batch ([\w-]+):/m)![1];
    expect(result.stderr).toContain(`2 of 3 images saved in images, 1 failed (batch ${batchId}, partial).`);
    expect(result.stderr).toContain(`Run the failed images again with: imagegen resume ${batchId} --out images`);
  });

  it('exits 1 when no image was made; --json prints the classic all-failed body', async () => {
    const workspace = await useImagegenWorkspace({ DEMO_FAIL_INDEXES: '1,2' });
    const result = await workspace.run(['a fox', '-n', '2', '--json']);

    expect(result.code, result.stderr).toBe(1);
    const body = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(body).toEqual({
      batchId: expect.any(String),
      error: 'All image generations failed',
      details: [
        { index: 1, error: 'Blocked by the safety filter' },
        { index: 2, error: 'Blocked by the safety filter' },
      ],
    });
  });

  it('--json prints the classic body with file paths instead of base64', async () => {
    const workspace = await useImagegenWorkspace({ DEMO_FAIL_INDEXES: '2' });
    const result = await workspace.run(['a fox', '-n', '3', '--out', 'images', '--json']);

    expect(result.code, result.stderr).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      batchId: expect.any(String),
      images: [
        { path: 'images/001-a-fox.png', mimeType: 'image/png' },
        { path: 'images/003-a-fox.png', mimeType: 'image/png' },
      ],
      success: 2,
      failed: 1,
      errors: [{ index: 2, error: 'Blocked by the safety filter', details: 'DEMO_FAIL_INDEXES includes 2' }],
    });
  });

  it('takes prompts from the argument, repeated -p and a prompts file (comments and blank lines skipped), in that order', async () => {
    const workspace = await useImagegenWorkspace();
    await writeFile(join(workspace.cwd, 'prompts.txt'), '# animals\na blue whale\n\n  a green frog  \n# done\n');
    const result = await workspace.run(['a red fox', '-p', 'Crème brûlée!', '--prompts-file', 'prompts.txt', '-n', '2', '--out', 'images']);

    expect(result.code, result.stderr).toBe(0);
    expect(await listImages(join(workspace.cwd, 'images'))).toEqual([
      '001-a-red-fox.png',
      '002-a-red-fox.png',
      '003-creme-brulee.png',
      '004-creme-brulee.png',
      '005-a-blue-whale.png',
      '006-a-blue-whale.png',
      '007-a-green-frog.png',
      '008-a-green-frog.png',
    ]);
  });

  it('--image makes an image-to-image batch; --format converts (the same options as the API)', async () => {
    const workspace = await useImagegenWorkspace();
    await writeFile(join(workspace.cwd, 'in.png'), tinyPng());
    const result = await workspace.run(['make it blue', '--image', 'in.png', '--format', 'webp', '--aspect', '16:9', '--out', 'images', '--json']);

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ images: [{ path: 'images/001-make-it-blue.webp', mimeType: 'image/webp' }], success: 1 });
    const webp = await readFile(join(workspace.cwd, 'images', '001-make-it-blue.webp'));
    expect(webp.subarray(8, 12).toString()).toBe('WEBP');
  });

  it('the batch is stored under DATA_DIR like the server\'s, and a later run does not lose it', async () => {
    const workspace = await useImagegenWorkspace();
    const first = await workspace.run(['a fox', '--out', 'a']);
    expect(first.code, first.stderr).toBe(0);
    const batchId = first.stderr.match(/^Batch ([\w-]+):/m)![1];
    // resume of a completed batch: nothing to run, every image written where asked.
    const again = await workspace.run(['resume', batchId!, '--out', 'b']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`Batch ${batchId}: nothing to run again, into b`);
    expect(await listImages(join(workspace.cwd, 'b'))).toEqual(['001-a-fox.png']);
    expect(await readdir(workspace.dataDirectory)).toContain('imagegen.sqlite');
  });
});

describe('imagegen: bad usage exits 64 with what to fix', () => {
  const cases: [string, string[], RegExp][] = [
    ['no prompt', [], /Say what to draw: imagegen "a lighthouse at dusk", or -p/],
    ['a count the API refuses', ['a fox', '-n', '0'], /-n\/--count: Number of images must be a whole number from 1 to 100/],
    ['more than 100 images in all', ['-p', 'a', '-p', 'b', '-n', '51'], /-n\/--count: A batch makes at most 100 images: 2 prompts × 51 images is 102/],
    ['a size the API refuses', ['a fox', '--size', '9K'], /--size: size must be 1K, 2K, 4K or WIDTHxHEIGHT/],
    ['an aspect ratio that is none', ['a fox', '--aspect', '7:3'], /option '--aspect <ratio>' argument '7:3' is invalid/],
    ['a provider this machine does not offer', ['a fox', '--provider', 'openai'], /--provider: Provider "openai" is not configured/],
    ['an unknown option', ['a fox', '--colour', 'red'], /unknown option '--colour'/],
    ['an input image that is not there', ['a fox', '--image', 'missing.png'], /--image missing.png: cannot read it \(no such file\)/],
    ['an empty prompts file', ['--prompts-file', 'empty.txt'], /--prompts-file empty.txt: cannot read it|has no prompts/],
    ['a resume of an unknown batch', ['resume', 'no-such-batch'], /No batch with this id here/],
    ['a server address that is none', ['a fox', '--server', 'localhost'], /--server localhost: give the server's address/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const workspace = await useImagegenWorkspace();
      const result = await workspace.run(args);
      expect(result.stderr).toMatch(message);
      expect(result.code, result.stderr).toBe(64);
    });
  }

  it('a file that is not an image, given to --image', async () => {
    const workspace = await useImagegenWorkspace();
    await writeFile(join(workspace.cwd, 'notes.txt'), 'not an image');
    const result = await workspace.run(['a fox', '--image', 'notes.txt']);
    expect(result.code, result.stderr).toBe(64);
    expect(result.stderr).toMatch(/^imagegen: --image: /m);
  });
});

describe('imagegen --help', () => {
  it('lists every option, the exit codes, the environment and examples, and exits 0', async () => {
    const workspace = await useImagegenWorkspace();
    const result = await workspace.run(['--help']);
    expect(result.code).toBe(0);
    for (const text of [
      '-n, --count', '-p, --prompt', '--prompts-file', '--image', '--provider', '--model', '--aspect', '--size', '--quality',
      '--format', '--background', '--max-cost', '-o, --out', '--json', '--server', 'resume',
      'Exit codes:', '  0 ', '  2 ', '  1 ', '  64 ', '  130 ',
      'IMAGEGEN_SERVER', 'IMAGEGEN_TOKEN', 'DATA_DIR', 'IMAGE_PROVIDER', 'Examples:',
    ]) {
      expect(result.stdout).toContain(text);
    }
  });

  it('resume --help names its options', async () => {
    const workspace = await useImagegenWorkspace();
    const result = await workspace.run(['resume', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/<batch-id>[\s\S]*--out[\s\S]*--json[\s\S]*--server/);
  });
});
