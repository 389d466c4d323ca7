import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError } from '@/lib/core';
import { closedLocalUrl, rejectionOf, startFakeComfyUIServer, tinyPng, type FakeComfyUIServer } from '../testing';
import { createComfyUIProvider, type ComfyUIProviderOptions } from './comfyui-provider';
import { builtInImageToImageTemplate, builtInTextToImageTemplate, workflowTemplate } from './workflow-template';

let server: FakeComfyUIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const providerFor = (baseUrl: string, options: Partial<ComfyUIProviderOptions> = {}) =>
  createComfyUIProvider({
    baseUrl,
    textToImage: builtInTextToImageTemplate(),
    imageToImage: builtInImageToImageTemplate(),
    pollIntervalMs: 10,
    randomSeed: () => 4242,
    ...options,
  });

const providerErrorOf = async (promise: Promise<unknown>): Promise<ProviderError> => {
  const error = await rejectionOf(promise);
  expect(isProviderError(error)).toBe(true);
  return error as ProviderError;
};

describe('ComfyUI adapter against a fake ComfyUI', () => {
  it('text-to-image: fills prompt, seed and size, queues it, polls history and returns the saved PNG', async () => {
    server = await startFakeComfyUIServer();
    const image = await providerFor(server.baseUrl).generate({ prompt: 'a lighthouse at dusk', index: 1, aspectRatio: '16:9' });

    expect(image.mimeType).toBe('image/png');
    expect(image.seed).toBe(4242);
    const metadata = await sharp(Buffer.from(image.bytes)).metadata();
    // The template's long edge (512) kept, at 16:9, in multiples of 8.
    expect([metadata.width, metadata.height]).toEqual([512, 288]);

    const [workflow] = [...server.prompts.values()];
    expect(workflow!['6']!.inputs.text).toBe('a lighthouse at dusk');
    expect(workflow!['3']!.inputs).toMatchObject({ seed: 4242, steps: 20, cfg: 7 });
    expect(workflow!['5']!.inputs).toMatchObject({ width: 512, height: 288 });
    expect(workflow!['7']!.inputs.text).toBe('text, watermark, blurry');
    const post = server.requests.find((request) => request.path === '/prompt')!;
    expect(post.json).toMatchObject({ client_id: expect.any(String) });
    expect(server.requests.some((request) => request.path.startsWith('/view?'))).toBe(true);
  });

  it('the neutral diffusion controls fill their mapped inputs: negative prompt, steps, CFG and the request\'s seed', async () => {
    server = await startFakeComfyUIServer();
    const image = await providerFor(server.baseUrl, { seedBase: 1 }).generate({
      prompt: 'a fox',
      index: 3,
      negativePrompt: 'blurry, text',
      steps: 30,
      cfgScale: 5.5,
      seed: 777,
    });
    const [workflow] = [...server.prompts.values()];
    expect(workflow!['7']!.inputs.text).toBe('blurry, text');
    expect(workflow!['3']!.inputs).toMatchObject({ seed: 777, steps: 30, cfg: 5.5 });
    // The batch's seed for this image wins over COMFYUI_SEED's, and is reported with the image.
    expect(image.seed).toBe(777);
    expect(image.warnings ?? []).toEqual([]);
  });

  it('a size preset sets the long edge; without size or ratio the template size stays', async () => {
    server = await startFakeComfyUIServer();
    const provider = providerFor(server.baseUrl);
    await provider.generate({ prompt: 'tall', index: 1, aspectRatio: '9:16', size: '1K' });
    await provider.generate({ prompt: 'as is', index: 2 });
    const [tall, asIs] = [...server.prompts.values()];
    expect(tall!['5']!.inputs).toMatchObject({ width: 576, height: 1024 });
    expect(asIs!['5']!.inputs).toMatchObject({ width: 512, height: 512 });
  });

  it('a seed base makes seeds index-derived (a batch can be made again)', async () => {
    server = await startFakeComfyUIServer();
    const provider = providerFor(server.baseUrl, { seedBase: 1000 });
    expect((await provider.generate({ prompt: 'x', index: 3 })).seed).toBe(1002);
  });

  it('image-to-image: uploads the input with /upload/image and points LoadImage at it', async () => {
    server = await startFakeComfyUIServer();
    const input = tinyPng();
    const image = await providerFor(server.baseUrl).generate({
      prompt: 'make it blue',
      index: 1,
      size: '640x480',
      inputImages: [{ bytes: input, mimeType: 'image/png' }],
    });
    expect(image.mimeType).toBe('image/png');
    const upload = server.requests.find((request) => request.path === '/upload/image')!;
    expect(upload.form!.files[0]).toMatchObject({ fieldName: 'image', contentType: 'image/png' });
    const [uploadedName] = [...server.uploads.keys()];
    const [workflow] = [...server.prompts.values()];
    expect(workflow!['10']!.inputs.image).toBe(uploadedName);
    expect(workflow!['11']!.inputs).toMatchObject({ width: 640, height: 480 });
    expect(await sharp(Buffer.from(image.bytes)).metadata()).toMatchObject({ width: 640, height: 480 });
  });

  it('input images without an image-to-image workflow are an invalid request', async () => {
    server = await startFakeComfyUIServer();
    const provider = createComfyUIProvider({ baseUrl: server.baseUrl, textToImage: builtInTextToImageTemplate() });
    const error = await providerErrorOf(provider.generate({ prompt: 'x', index: 1, inputImages: [{ bytes: tinyPng(), mimeType: 'image/png' }] }));
    expect(error.kind).toBe('invalid_request');
  });

  it('node_errors from /prompt (an unknown checkpoint) are an invalid request naming the node', async () => {
    server = await startFakeComfyUIServer({ checkpoints: ['sd_xl_base_1.0.safetensors'] });
    const error = await providerErrorOf(providerFor(server.baseUrl).generate({ prompt: 'x', index: 1 }));
    expect(error).toMatchObject({ kind: 'invalid_request', status: 400, isRetryable: false });
    expect(error.details).toContain('node 4 (CheckpointLoaderSimple)');
    expect(error.details).toContain('Value not in list');
  });

  it('a workflow missing a required input fails validation as an invalid request', async () => {
    server = await startFakeComfyUIServer();
    const broken = structuredClone(builtInTextToImageTemplate().workflow);
    delete broken['3']!.inputs.sampler_name;
    const template = workflowTemplate(broken, builtInTextToImageTemplate().mapping, 'test');
    const error = await providerErrorOf(providerFor(server.baseUrl, { textToImage: template }).generate({ prompt: 'x', index: 1 }));
    expect(error.kind).toBe('invalid_request');
    expect(error.details).toContain('Required input is missing: sampler_name');
  });

  it('an execution_error in history is classified: a graph error is invalid, out of memory is transient', async () => {
    server = await startFakeComfyUIServer();
    const provider = providerFor(server.baseUrl);
    server.failNextRun({ exception_type: 'RuntimeError', exception_message: 'mat1 and mat2 shapes cannot be multiplied' });
    const graphError = await providerErrorOf(provider.generate({ prompt: 'x', index: 1 }));
    expect(graphError.kind).toBe('invalid_request');
    expect(graphError.details).toContain('node 3 (KSampler): RuntimeError: mat1 and mat2');

    server.failNextRun({ exception_type: 'torch.OutOfMemoryError', exception_message: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
    const memoryError = await providerErrorOf(provider.generate({ prompt: 'x', index: 2 }));
    expect(memoryError).toMatchObject({ kind: 'transient', isRetryable: true });
  });

  it('an unreachable server is transient', async () => {
    const error = await providerErrorOf(providerFor(await closedLocalUrl()).generate({ prompt: 'x', index: 1 }));
    expect(error).toMatchObject({ kind: 'transient', isRetryable: true, message: 'Cannot reach ComfyUI' });
    expect(error.details).toContain('ECONNREFUSED');
  });

  it('a run that does not finish in time is a timeout, and is interrupted on the server', async () => {
    server = await startFakeComfyUIServer({ runMs: 60_000 });
    const error = await providerErrorOf(providerFor(server.baseUrl, { timeoutMs: 200 }).generate({ prompt: 'x', index: 1 }));
    expect(error.kind).toBe('timeout');
    await server.waitForRequests(1);
    await expect.poll(() => server!.requests.some((request) => request.path === '/interrupt')).toBe(true);
  });

  it('cancel while running: interrupts our prompt (only ours) and rejects with the abort', async () => {
    server = await startFakeComfyUIServer({ runMs: 60_000 });
    const controller = new AbortController();
    const generation = providerFor(server.baseUrl).generate({ prompt: 'x', index: 1 }, controller.signal);
    const promptId = await server.waitFor(undefined, 'running');
    controller.abort();
    const error = await rejectionOf(generation);
    expect((error as Error).name).toBe('AbortError');
    await server.waitFor(promptId, 'done');
    const interrupt = server.requests.find((request) => request.path === '/interrupt')!;
    expect(interrupt.json).toEqual({ prompt_id: promptId });
    expect(server.requests.some((request) => request.method === 'POST' && request.path === '/queue')).toBe(false);
  });

  it('cancel while pending: deletes it from the queue without interrupting anything', async () => {
    server = await startFakeComfyUIServer();
    server.pause();
    const controller = new AbortController();
    const generation = providerFor(server.baseUrl).generate({ prompt: 'x', index: 1 }, controller.signal);
    const promptId = await server.waitFor(undefined, 'pending');
    controller.abort();
    expect((await rejectionOf(generation) as Error).name).toBe('AbortError');
    await server.waitFor(promptId, 'done');
    const deletion = server.requests.find((request) => request.method === 'POST' && request.path === '/queue')!;
    expect(deletion.json).toEqual({ delete: [promptId] });
    expect(server.requests.some((request) => request.path === '/interrupt')).toBe(false);
  });

  it('an interrupt by someone else is transient (another run would go through)', async () => {
    server = await startFakeComfyUIServer({ runMs: 60_000 });
    const generation = providerFor(server.baseUrl).generate({ prompt: 'x', index: 1 });
    await server.waitFor(undefined, 'running');
    await fetch(`${server.baseUrl}/interrupt`, { method: 'POST' });
    const error = await providerErrorOf(generation);
    expect(error.kind).toBe('transient');
  });

  it('a prompt the server no longer has (deleted by someone else, or lost in a restart) is transient, not a wait for the timeout', async () => {
    server = await startFakeComfyUIServer();
    server.pause();
    const generation = providerFor(server.baseUrl).generate({ prompt: 'x', index: 1 });
    const promptId = await server.waitFor(undefined, 'pending');
    await fetch(`${server.baseUrl}/queue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delete: [promptId] }) });
    const error = await providerErrorOf(generation);
    expect(error).toMatchObject({ kind: 'transient', message: expect.stringContaining('no longer has the prompt') });
  });

  it('a workflow with only a PreviewImage node returns its temp image', async () => {
    server = await startFakeComfyUIServer();
    const preview = structuredClone(builtInTextToImageTemplate().workflow);
    preview['9'] = { class_type: 'PreviewImage', inputs: { images: ['8', 0] } };
    const template = workflowTemplate(preview, builtInTextToImageTemplate().mapping, 'preview');
    const image = await providerFor(server.baseUrl, { textToImage: template }).generate({ prompt: 'x', index: 1 });
    expect(image.mimeType).toBe('image/png');
    expect(server.requests.find((request) => request.path.startsWith('/view?'))!.path).toContain('type=temp');
  });

  it('an already aborted signal sends nothing', async () => {
    server = await startFakeComfyUIServer();
    const error = await rejectionOf(providerFor(server.baseUrl).generate({ prompt: 'x', index: 1 }, AbortSignal.abort()));
    expect((error as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(0);
  });

  it('reports the sampler\'s steps from the websocket\'s progress messages, in order, up to the last', async () => {
    server = await startFakeComfyUIServer({ runMs: 300 });
    const steps: string[] = [];
    await providerFor(server.baseUrl).generate({ prompt: 'a fox', index: 1, steps: 6, onProgress: ({ step, totalSteps }) => steps.push(`${step}/${totalSteps}`) });
    expect(steps).toEqual(['1/6', '2/6', '3/6', '4/6', '5/6', '6/6']);
  });

  it('the websocket\'s end message ends the wait: no poll interval to sit out', async () => {
    server = await startFakeComfyUIServer({ runMs: 50 });
    const provider = providerFor(server.baseUrl, { pollIntervalMs: 600_000 });
    const image = await provider.generate({ prompt: 'a fox', index: 1 });
    expect(image.mimeType).toBe('image/png');
    // The first look at /history found nothing (it was still running); the next came when woken.
    expect(server.requests.filter((request) => request.path.startsWith('/history/'))).toHaveLength(2);
  });

  it('without a websocket (a proxy refuses it) it still gets there by polling, with no step progress', async () => {
    server = await startFakeComfyUIServer({ runMs: 50, hasWebSocket: false });
    const steps: number[] = [];
    const image = await providerFor(server.baseUrl).generate({ prompt: 'a fox', index: 1, onProgress: ({ step }) => steps.push(step) });
    expect(image.mimeType).toBe('image/png');
    expect(steps).toEqual([]);
    expect(server.socketMessages.filter((message) => message.clientId !== '*')).not.toEqual([]);
  });
});
