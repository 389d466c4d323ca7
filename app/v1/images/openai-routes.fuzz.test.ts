/**
 * Property-based fuzzing of the OpenAI-compatible routes, in-process on the demo provider: bodies
 * with OpenAI's parameter names and values of every kind (right, wrong, null, nested, huge). Every
 * answer is a 200 with images or an OpenAI error envelope with a readable message, never a 5xx,
 * and a refused request creates no batch. Reproducible (fixed seed); `FUZZ_SEED=<n>` replays a run.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useBatchTestApp } from '@/lib/server/testing/batch-test-helpers';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { POST as postEdit } from './edits/route';
import { POST as postGeneration } from './generations/route';

afterEach(() => vi.unstubAllEnvs());

const seed = Number(process.env.FUZZ_SEED ?? 20261130);

const anyValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 200 }),
  fc.double(),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('auto', '1024x1024', '1536x1024', 'low', 'high', 'hd', 'standard', 'png', 'jpeg', 'webp', 'gif', 'transparent', 'opaque', 'url', 'b64_json', 'demo', 'demo/demo-shapes-v1', 'gpt-image-1'),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);
const params = ['prompt', 'model', 'n', 'size', 'quality', 'output_format', 'background', 'response_format', 'user', 'moderation', 'stream', 'style', 'mask', 'partial_images', 'seed'];
const body = fc.dictionary(fc.constantFrom(...params), anyValue, { maxKeys: 6 }).map((fields) => ({
  prompt: 'a fuzzed lighthouse',
  ...fields,
  // Small batches keep the run short; garbage counts still come through.
  ...(typeof fields.n === 'number' && fields.n > 4 && fields.n <= 100 ? { n: 2 } : {}),
}));

async function expectOpenAIAnswer(response: Response, label: string): Promise<void> {
  expect(response.status, label).toBeLessThan(500);
  const answer = (await response.json()) as { data?: unknown[]; error?: { message?: unknown; type?: unknown } };
  if (response.status === 200) {
    expect(Array.isArray(answer.data), label).toBe(true);
    return;
  }
  expect(typeof answer.error?.message === 'string' && answer.error.message.length > 0, label).toBe(true);
  expect(typeof answer.error?.type, label).toBe('string');
}

describe('the /v1 image routes under fuzzed bodies', () => {
  it('generations: a 200 with images or an OpenAI error, never a 5xx; a refusal creates no batch', async () => {
    const testApp = await useBatchTestApp();
    const store = (await testApp.runtime()).store.batches;
    await fc.assert(
      fc.asyncProperty(body, async (fields) => {
        const before = (await store.listBatches({ limit: 100 })).batches.length;
        const response = await postGeneration(jsonRequest('/v1/images/generations', fields));
        await expectOpenAIAnswer(response.clone(), JSON.stringify(fields));
        const after = (await store.listBatches({ limit: 100 })).batches.length;
        // Refused before any image was asked for: nothing stored (a moderation refusal comes from the provider, after).
        if (response.status >= 400 && (await response.json()).error.code !== 'moderation_blocked') expect(after).toBe(before);
      }),
      { numRuns: 150, seed },
    );
  });

  it('edits: multipart with the same fields as text, with and without an image', async () => {
    await useBatchTestApp();
    const png = await import('sharp').then(({ default: sharp }) => sharp({ create: { width: 16, height: 16, channels: 3, background: '#336699' } }).png().toBuffer());
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('image', 'image[]', 'none', 'garbage'), async (fields, imageField) => {
        const form = new FormData();
        for (const [name, value] of Object.entries(fields)) form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
        if (imageField === 'garbage') form.append('image', new File([new Uint8Array([1, 2, 3])], 'x.png', { type: 'image/png' }));
        else if (imageField !== 'none') form.append(imageField, new File([png], 'in.png', { type: 'image/png' }));
        const response = await postEdit(new Request('http://127.0.0.1/v1/images/edits', { method: 'POST', body: form }));
        await expectOpenAIAnswer(response, `${imageField} ${JSON.stringify(fields)}`);
      }),
      { numRuns: 100, seed },
    );
  });
});
