import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/** s3rver's one account: any other key id is refused with InvalidAccessKeyId. */
const accessKeyId = 'S3RVER';
const secretAccessKey = 'S3RVER';

export interface S3TestServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The variables a process needs to reach this server, as the server reads them. */
  env: { AWS_ENDPOINT_URL_S3: string; AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string; AWS_REGION: string };
  /** A client for the test's own look at the bucket. */
  client: S3Client;
  /** Creates a bucket (S3 naming rules: 3–63 lowercase letters, digits, hyphens). */
  createBucket(bucket: string): Promise<void>;
  /** Every key in the bucket under `prefix`, sorted. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

const serverScript = fileURLToPath(new URL('./s3rver-process.mjs', import.meta.url));

/**
 * Starts a real S3-compatible server (s3rver) in a child process on 127.0.0.1, on a free port,
 * storing into a new temporary directory. Not a mock: the AWS SDK talks HTTP to it, signs its
 * requests, and gets S3's XML errors back.
 */
export async function startS3TestServer(): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'imagegen-s3rver-'));
  const child = spawn(process.execPath, [serverScript, directory], { stdio: ['pipe', 'pipe', 'inherit'] });
  let port: number;
  try {
    port = await readPort(child);
  } catch (error) {
    child.kill();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey } });
  return {
    endpoint,
    env: { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: 'us-east-1' },
    client,
    async createBucket(bucket) {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    },
    async listKeys(bucket, prefix) {
      const keys: string[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }));
        keys.push(...(page.Contents ?? []).map((object) => object.Key!));
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (continuationToken);
      return keys.sort();
    },
    async stop() {
      client.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.stdin?.end();
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The port the child prints on its first line; rejects if it exits first or takes more than 10 s. */
function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 10 s')), 10_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      const { port } = JSON.parse(line) as { port: number };
      resolve(port);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited before it listened (code ${code}, signal ${signal})`));
    });
  });
}
