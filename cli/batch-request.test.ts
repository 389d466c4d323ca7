import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBatchRequest } from '@/lib/server';
import { tinyPng } from '@/lib/providers/testing';
import { parsePromptsFile, toBatchRequest, toBatchRequestForm } from './batch-request';

const directories: string[] = [];
afterEach(async () => {
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('the command line as a batch request', () => {
  it('becomes the multipart body POST /api/batches takes, read by the API\'s own parser', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'imagegen-request-'));
    directories.push(directory);
    const image = join(directory, 'in.png');
    await writeFile(image, tinyPng());
    const form = await toBatchRequestForm({
      prompt: 'a fox',
      prompts: ['a whale'],
      images: [image],
      count: '3',
      provider: 'demo',
      aspect: '16:9',
      size: '1K',
      format: 'webp',
      background: 'opaque',
      quality: 'high',
      maxCost: '0.5',
    });
    const input = await parseBatchRequest(toBatchRequest(form));
    expect(input.prompts).toEqual(['a fox', 'a whale']);
    expect(input.numberOfImages).toBe(3);
    expect(input.requested).toEqual({
      providerId: 'demo',
      options: { aspectRatio: '16:9', size: '1K', quality: 'high', outputFormat: 'webp', background: 'opaque' },
      maxCostUsd: 0.5,
    });
    expect(input.inputImages).toHaveLength(1);
    expect(input.inputImages![0]!.mimeType).toBe('image/png');
  });

  it('sends the diffusion controls as the API names them', async () => {
    const form = await toBatchRequestForm({
      prompt: 'a fox',
      prompts: [],
      images: [],
      negativePrompt: 'fog',
      seed: '0',
      steps: '30',
      cfgScale: '6.5',
      sampler: 'Euler a',
      denoisingStrength: '0.4',
    });
    expect(Object.fromEntries(['negativePrompt', 'seed', 'steps', 'cfgScale', 'sampler', 'denoisingStrength'].map((name) => [name, form.get(name)]))).toEqual({
      negativePrompt: 'fog',
      seed: '0',
      steps: '30',
      cfgScale: '6.5',
      sampler: 'Euler a',
      denoisingStrength: '0.4',
    });
    const input = await parseBatchRequest(toBatchRequest(form));
    expect(input.requested.options).toEqual({ negativePrompt: 'fog', seed: 0, steps: 30, cfgScale: 6.5, sampler: 'Euler a', denoisingStrength: 0.4 });
  });

  it('one prompt goes as prompt, the default count is the API\'s', async () => {
    const input = await parseBatchRequest(toBatchRequest(await toBatchRequestForm({ prompt: 'a fox', prompts: [], images: [] })));
    expect(input).toMatchObject({ prompts: ['a fox'], numberOfImages: 1 });
  });
});

describe('parsePromptsFile', () => {
  it('takes one prompt per line, trimmed, skipping blank lines and # comments (CRLF too)', () => {
    expect(parsePromptsFile('# header\r\na red fox\r\n\r\n   \n  a blue whale  \n#a comment\nred # not a comment\n')).toEqual([
      'a red fox',
      'a blue whale',
      'red # not a comment',
    ]);
  });
});
