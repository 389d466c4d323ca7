import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openaiResponses, startFakeOpenAIServer, type FakeOpenAIServer } from '@/lib/providers/testing';
import { useImagegenWorkspace } from './testing/run-imagegen';

/** The command against a local stand-in for the OpenAI Images API: a real provider adapter, real HTTP. */

const servers: FakeOpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fakeOpenAI(): Promise<FakeOpenAIServer> {
  const server = await startFakeOpenAIServer();
  servers.push(server);
  return server;
}

const openaiEnv = (server: FakeOpenAIServer) => ({
  IMAGE_PROVIDER: 'openai',
  OPENAI_API_KEY: 'sk-test-0123456789abcdefghijklmnop',
  OPENAI_BASE_URL: server.baseUrl,
  RETRY_BASE_DELAY_MS: '10',
});

describe('imagegen against a fake OpenAI server', () => {
  it('passes --model, --quality and --size to the provider, reports a retry and exits 0', async () => {
    const server = await fakeOpenAI();
    server.respondWith(openaiResponses.rateLimited({ retryAfterMs: '20' }));
    server.respondAlways(openaiResponses.imageFor());
    const workspace = await useImagegenWorkspace(openaiEnv(server));
    const result = await workspace.run(['a lighthouse', '-n', '2', '--model', 'gpt-image-2', '--quality', 'low', '--size', '1024x1024', '--out', 'images']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^\[0\/2\] image 1: rate_limited \(.+\), try 2 in \d+ms$/m);
    expect(await readdir(join(workspace.cwd, 'images'))).toEqual(['001-a-lighthouse.png', '002-a-lighthouse.png']);
    const bodies = server.requests.map((request) => request.json as Record<string, unknown>);
    expect(bodies).toHaveLength(3);
    for (const body of bodies) expect(body).toMatchObject({ model: 'gpt-image-2', quality: 'low', size: '1024x1024', prompt: 'a lighthouse' });
  });

  it('a failure the provider will not take back fails that image only: exit 2, the failure named', async () => {
    const server = await fakeOpenAI();
    server.respondWith(
      openaiResponses.imageFor(),
      openaiResponses.error(400, { message: 'Your request was rejected by the safety system.', type: 'image_generation_user_error', code: 'moderation_blocked' }),
    );
    const workspace = await useImagegenWorkspace(openaiEnv(server));
    const result = await workspace.run(['a lighthouse', '-n', '2', '--out', 'images', '--json']);

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^\[\d\/2\] image 2 failed: safety_blocked: /m);
    expect(JSON.parse(result.stdout)).toMatchObject({ images: [{ path: 'images/001-a-lighthouse.png' }], success: 1, failed: 1, errors: [{ index: 2 }] });
  });

  it('a model the provider does not offer is bad usage (64), before any call', async () => {
    const server = await fakeOpenAI();
    const workspace = await useImagegenWorkspace(openaiEnv(server));
    const result = await workspace.run(['a lighthouse', '--model', 'dall-e-9']);
    expect(result.code, result.stderr).toBe(64);
    expect(result.stderr).toMatch(/--model: Model "dall-e-9" is not offered/);
    expect(server.requests).toHaveLength(0);
  });
});
