import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { builtInTextToImageTemplate } from '../comfyui/workflow-template';
import { startFakeComfyUIServer, type FakeComfyUIServer } from './fake-comfyui-server';
import { tinyPng } from './test-images';

let server: FakeComfyUIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const post = (path: string, body: unknown) =>
  fetch(`${server!.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const getJson = async (path: string) => (await fetch(`${server!.baseUrl}${path}`)).json() as Promise<Record<string, any>>;

describe('the fake ComfyUI speaks server.py', () => {
  it('queues, runs one prompt at a time, and writes history with a real PNG served by /view', async () => {
    server = await startFakeComfyUIServer({ runMs: 50 });
    const workflow = builtInTextToImageTemplate().workflow;
    const first = await (await post('/prompt', { prompt: workflow, client_id: 'c' })).json();
    const second = await (await post('/prompt', { prompt: workflow, client_id: 'c', prompt_id: 'mine' })).json();
    expect(first).toEqual({ prompt_id: expect.any(String), number: expect.any(Number), node_errors: {} });
    expect(second.prompt_id).toBe('mine');
    const queue = await getJson('/queue');
    expect(queue.queue_running.map((entry: unknown[]) => entry[1])).toEqual([first.prompt_id]);
    expect(queue.queue_pending.map((entry: unknown[]) => entry[1])).toEqual(['mine']);
    expect(await getJson(`/history/${first.prompt_id}`)).toEqual({});

    await server.waitFor('mine', 'done');
    const entry = (await getJson('/history/mine')).mine;
    expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
    const image = entry.outputs['9'].images[0];
    expect(image).toMatchObject({ subfolder: '', type: 'output', filename: expect.stringMatching(/^imagegen_\d{5}_\.png$/) });
    const view = await fetch(`${server.baseUrl}/view?${new URLSearchParams(image)}`);
    expect(view.headers.get('content-type')).toBe('image/png');
    expect(await sharp(Buffer.from(await view.arrayBuffer())).metadata()).toMatchObject({ width: 512, height: 512 });
    expect((await fetch(`${server.baseUrl}/view?filename=nope.png&type=output`)).status).toBe(404);
  });

  it('refuses what validate_prompt refuses: an unknown node class, no output node, a link to a missing node', async () => {
    server = await startFakeComfyUIServer();
    const unknown = await post('/prompt', { prompt: { '1': { class_type: 'FluxMagic', inputs: {} } } });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatchObject({ type: 'invalid_prompt', message: 'Cannot execute because node FluxMagic does not exist.' });
    const noOutputs = await (await post('/prompt', { prompt: { '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'x' } } } })).json();
    expect(noOutputs).toMatchObject({ error: { type: 'prompt_no_outputs' }, node_errors: [] });
    const dangling = await (await post('/prompt', { prompt: { '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'x', images: ['8', 0] } } } })).json();
    expect(dangling.node_errors['9'].errors[0]).toMatchObject({ type: 'exception_during_inner_validation', extra_info: { input_name: 'images' } });
  });

  it('uploads keep their name, renamed on a clash unless overwrite is set', async () => {
    server = await startFakeComfyUIServer();
    const upload = async (overwrite?: string) => {
      const form = new FormData();
      form.append('image', new Blob([tinyPng()], { type: 'image/png' }), 'in.png');
      if (overwrite) form.append('overwrite', overwrite);
      return (await fetch(`${server!.baseUrl}/upload/image`, { method: 'POST', body: form })).json();
    };
    expect(await upload()).toEqual({ name: 'in.png', subfolder: '', type: 'input' });
    expect(await upload()).toEqual({ name: 'in (1).png', subfolder: '', type: 'input' });
    expect(await upload('true')).toEqual({ name: 'in.png', subfolder: '', type: 'input' });
  });

  it('/interrupt with another prompt id leaves the running one alone; /queue delete removes a pending one', async () => {
    server = await startFakeComfyUIServer({ runMs: 60_000 });
    const workflow = builtInTextToImageTemplate().workflow;
    await post('/prompt', { prompt: workflow, prompt_id: 'running' });
    await post('/prompt', { prompt: workflow, prompt_id: 'pending' });
    await post('/interrupt', { prompt_id: 'pending' });
    expect((await getJson('/queue')).queue_running.map((entry: unknown[]) => entry[1])).toEqual(['running']);
    await post('/queue', { delete: ['pending'] });
    expect((await getJson('/queue')).queue_pending).toEqual([]);
    await post('/interrupt', {});
    const entry = (await getJson('/history/running')).running;
    expect(entry.status).toMatchObject({ status_str: 'error', completed: false });
    expect(entry.status.messages.map(([event]: [string]) => event)).toContain('execution_interrupted');
  });

  it('its websocket speaks like server.py: status with the sid, then the run\'s messages only to the client that queued it, node null after the history entry', async () => {
    server = await startFakeComfyUIServer({ runMs: 120 });
    const listen = async (clientId: string) => {
      const socket = new WebSocket(`${server!.baseUrl.replace('http', 'ws')}/ws?clientId=${clientId}`);
      const messages: { type: string; data: Record<string, any> }[] = [];
      socket.addEventListener('message', (event) => messages.push(JSON.parse(String(event.data))));
      await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
      return { socket, messages };
    };
    const mine = await listen('me');
    const other = await listen('someone-else');
    const workflow = { ...builtInTextToImageTemplate().workflow };
    workflow['3'] = { ...workflow['3']!, inputs: { ...workflow['3']!.inputs, steps: 4 } };
    await post('/prompt', { prompt: workflow, client_id: 'me', prompt_id: 'p1' });
    await server.waitFor('p1', 'done');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(mine.messages[0]).toEqual({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'me' } });
    const run = mine.messages.filter((message) => message.data.prompt_id === 'p1');
    const steps = run.filter((message) => message.type === 'progress').map((message) => `${message.data.value}/${message.data.max}`);
    expect(run[0]!.type).toBe('execution_start');
    expect(steps).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(run.at(-2)!.type).toBe('execution_success');
    expect(run.at(-1)).toEqual({ type: 'executing', data: { node: null, prompt_id: 'p1' } });
    expect(run.find((message) => message.type === 'executed')!.data.output.images[0]).toMatchObject({ type: 'output' });
    // The other client hears the queue's size, never the run.
    expect(other.messages.every((message) => message.type === 'status')).toBe(true);
    expect(other.messages.length).toBeGreaterThan(1);
    mine.socket.close();
    other.socket.close();
  });

  it('a failed run sends execution_error, then node null', async () => {
    server = await startFakeComfyUIServer();
    server.failNextRun({ exception_type: 'torch.OutOfMemoryError', exception_message: 'CUDA out of memory' });
    await post('/prompt', { prompt: builtInTextToImageTemplate().workflow, client_id: 'me', prompt_id: 'p2' });
    await server.waitFor('p2', 'done');
    const types = server.socketMessages.filter((message) => message.data.prompt_id === 'p2').map((message) => message.type);
    expect(types.slice(-2)).toEqual(['execution_error', 'executing']);
  });
});
