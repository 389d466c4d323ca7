import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished, vi } from 'vitest';
import { progressEventSchema, type ProgressEvent } from '@/lib/core';
import { getApp, resetApp } from '@/lib/server';

/**
 * Fresh app per test from these env vars, on the demo provider with fast pacing unless overridden,
 * with its own temporary DATA_DIR (every batch is stored): the app is closed and the folder removed
 * when the test finishes.
 */
export function useTestApp(env: Record<string, string> = {}) {
  vi.unstubAllEnvs();
  const dataDirectory = mkdtempSync(join(tmpdir(), 'imagegen-test-'));
  // No key from the machine's environment leaks in: a test that wants a provider sets its key.
  const defaults = {
    IMAGE_PROVIDER: 'demo',
    PACING_MIN_INTERVAL_MS: '0',
    RETRY_BASE_DELAY_MS: '0',
    LOG_LEVEL: 'silent',
    GEMINI_API_KEY: '',
    OPENAI_API_KEY: '',
    OPENROUTER_API_KEY: '',
    COMFYUI_URL: '',
    DATA_DIR: dataDirectory,
  };
  for (const [name, value] of Object.entries({ ...defaults, ...env })) vi.stubEnv(name, value);
  resetApp();
  const app = getApp();
  onTestFinished(async () => {
    await app.close();
    rmSync(dataDirectory, { recursive: true, force: true });
  });
  const provider = app.resolveProvider();
  const generateSpy = vi.spyOn(provider, 'generate');
  return { provider, generateSpy };
}

export function jsonRequest(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://127.0.0.1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Reads a whole SSE response into frames; every data payload is validated against the event union. */
export async function readSseEvents(response: Response): Promise<{ ids: string[]; names: string[]; events: ProgressEvent[] }> {
  const text = await response.text();
  const frames = text.split('\n\n').filter((frame) => frame.trim() !== '' && !frame.startsWith(':'));
  const ids: string[] = [];
  const names: string[] = [];
  const events: ProgressEvent[] = [];
  for (const frame of frames) {
    const fields = Object.fromEntries(
      frame.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
    );
    ids.push(fields.id);
    names.push(fields.event);
    events.push(progressEventSchema.parse(JSON.parse(fields.data)));
  }
  return { ids, names, events };
}
