import { getApp } from './create-app';
import { generateImages, prepareGeneration } from './generate-images';
import type { GenerationInput } from './generation-input';
import { toClassicResult } from './classic-result';
import { createProgressEventMapper } from './progress-events';
import { createSseResponse, wantsEventStream } from './sse';
import { toErrorResponse } from './to-response';

/**
 * The shared body of the two classic generate routes: parse, then either stream progress events
 * (Accept: text/event-stream) or answer the seed's JSON once the batch has ended.
 * A client that goes away cancels the rest of its batch.
 */
export async function respondToGeneration(
  request: Request,
  parseInput: (request: Request) => Promise<GenerationInput>,
): Promise<Response> {
  try {
    const input = await parseInput(request);
    const app = getApp();
    const context = prepareGeneration(app, input);

    if (wantsEventStream(request)) {
      const toProgressEvent = createProgressEventMapper(context);
      return createSseResponse(request.signal, async (send, signal) => {
        await generateImages(app, input, context, { signal, onEvent: (event) => send(toProgressEvent(event)) });
      });
    }

    const result = await generateImages(app, input, context, { signal: request.signal });
    const classic = toClassicResult(result.items);
    const headers: Record<string, string> = {};
    if (classic.retryAfterSeconds !== undefined) headers['Retry-After'] = String(classic.retryAfterSeconds);
    return Response.json(classic.body, { status: classic.httpStatus, headers });
  } catch (error) {
    return toErrorResponse(error);
  }
}
