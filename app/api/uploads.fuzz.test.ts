/**
 * Property-based fuzzing of uploads: well-formed requests whose only hostile part is their images
 * (every odd kind a camera or an editor makes, other formats, headers that lie about the size,
 * each maybe truncated, bit-flipped or padded, declared as any type), as multipart files and as
 * base64 JSON. Each is either refused with a 400 about the image, creating nothing, or accepted,
 * and then every image of its batch is made: an upload that passes must be usable. Seeded like
 * routes.fuzz.test.ts (`FUZZ_SEED`, `FUZZ_RUNS_SCALE`, `FUZZ_STATS`).
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fuzzParameters, type HeaderList } from '@/lib/server/testing/fuzz-arbitraries';
import { expectHealthy, printFuzzStatistics, setUpFuzzApp, tallyFuzzOutcome } from '@/lib/server/testing/fuzz-app';
import { uploadBodyArbitrary } from '@/lib/server/testing/fuzz-bodies';
import { sendFuzzRequest, type RouteHandler } from '@/lib/server/testing/fuzz-harness';
import { createImageFixtures, type ImageFixtures } from '@/lib/server/testing/fuzz-images';
import type { FuzzRequest } from '@/lib/server/testing/fuzz-request';
import { waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import * as batchesRoute from './batches/route';
import * as generateWithImageRoute from './generate-with-image/route';

afterEach(() => vi.unstubAllEnvs());
afterAll(printFuzzStatistics);

let fixtures: ImageFixtures;
beforeAll(async () => {
  fixtures = await createImageFixtures();
});

const upload: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constant('POST'),
  id: fc.constant(undefined),
  query: fc.constant(undefined),
  headers: fc.constant<HeaderList>([]),
  body: uploadBodyArbitrary,
  contentType: fc.constant({ kind: 'natural' as const }),
  contentLength: fc.constant(undefined),
  delivery: fc.constantFrom('buffer' as const, 'chunked' as const),
});

describe('fuzzing uploads', () => {
  it.each([
    ['/api/generate-with-image', generateWithImageRoute.POST],
    ['/api/batches', batchesRoute.POST],
  ] as const)('POST %s with truncated, lying and odd images: accepted and every image made, or a 400 about the image', async (path, handler) => {
    const app = await setUpFuzzApp();
    await fc.assert(
      fc.asyncProperty(upload, async (fuzz) => {
        const batchesBefore = await app.batchCount();
        const outcome = await sendFuzzRequest(handler as RouteHandler, path, fuzz, fixtures);
        tallyFuzzOutcome('POST', path, outcome.status, outcome.error);
        if (outcome.status >= 400) {
          expect(outcome.status, outcome.error).toBe(400);
          expect(await app.batchCount(), 'a refused upload created a batch').toBe(batchesBefore);
          return;
        }
        const [batch] = (await app.runtime.store.batches.listBatches({ limit: 1 })).batches;
        await waitForBatchEnd(app.runtime, batch!.id);
        const ended = await app.runtime.store.batches.getBatch(batch!.id);
        const errors = JSON.stringify(ended?.items.map((item) => item.error));
        expect(ended?.status, `an accepted upload (${outcome.status}) ended ${ended?.status}: ${errors}`).toBe('completed');
      }),
      fuzzParameters(250),
    );
    await expectHealthy(app);
  }, 120_000);
});
