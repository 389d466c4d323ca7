import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startProviderSimulator } from '@/lib/providers/testing';

/**
 * Peak RSS growth of the app for a batch of ~1 MB images and for its ZIP download. The simulator
 * (Gemini wire, no quota, short latency) runs here; the app runs in a child process (memory-child.ts)
 * with its own DATA_DIR, so the figure is the app's alone.
 */

export interface MemoryResult {
  images: number;
  imageBytes: number;
  batchBaselineMb: number;
  batchPeakGrowthMb: number;
  batchMs: number;
  zipBaselineMb: number;
  zipPeakGrowthMb: number;
  zipBytes: number;
  zipMs: number;
}

const childTimeoutMs = 600_000;

/** A PNG of noise, stored uncompressed: ~1 MB that no codec can shrink. */
async function noisePng(side = 580): Promise<Buffer> {
  return sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

export async function runMemory(options: { images: number; timeFactor: number }): Promise<MemoryResult> {
  const image = await noisePng();
  const simulator = await startProviderSimulator({
    wire: 'gemini',
    imageBase64: image.toString('base64'),
    latency: { kind: 'log-normal', medianMs: 9_000, sigma: 0.35 },
    timeFactor: options.timeFactor,
  });
  const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-bench-'));
  try {
    const output = await runChild({
      ...process.env,
      BENCH_IMAGES: String(options.images),
      DATA_DIR: dataDirectory,
      IMAGE_PROVIDER: 'gemini',
      GEMINI_API_KEY: 'simulator-key',
      GEMINI_BASE_URL: simulator.baseUrl,
      PACING_MODE: 'fixed',
      PACING_CONCURRENCY: '8',
      PACING_MIN_INTERVAL_MS: '0',
      LOG_LEVEL: 'silent',
    });
    return { imageBytes: image.byteLength, ...(JSON.parse(output) as Omit<MemoryResult, 'imageBytes'>) };
  } finally {
    await simulator.close();
    await rm(dataDirectory, { recursive: true, force: true });
  }
}

function runChild(env: NodeJS.ProcessEnv): Promise<string> {
  const hooks = new URL('../lib/server/testing/typescript-hooks.mjs', import.meta.url);
  const entry = new URL('./memory-child.ts', import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', hooks.href, entry.pathname], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), childTimeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const lastLine = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && lastLine.startsWith('{')) resolve(lastLine);
      else reject(new Error(`memory child exited ${code}: ${stderr.trim().slice(-2_000)}`));
    });
  });
}
