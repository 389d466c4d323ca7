import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** What the store did to the file system, in order; `sync` entries name the flushed file or directory. */
const journal: string[] = [];
let failRename = false;

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    open: async (...parameters: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...parameters);
      const name = basename(String(parameters[0]));
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        await sync();
        journal.push(`sync ${name.startsWith('.tmp-') ? 'temporary' : name}`);
      };
      return handle;
    },
    rename: async (from: string, to: string) => {
      const finalNameExists = (await actual.readdir(join(to, '..'))).includes(basename(to));
      journal.push(`rename temporary → final (final name existed: ${finalNameExists})`);
      if (failRename) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      return actual.rename(from, to);
    },
  };
});

const { createFileBlobStore } = await import('./file-blob-store');

describe('createFileBlobStore durability', () => {
  let directory: string;

  beforeEach(async () => {
    directory = join(await mkdtemp(join(tmpdir(), 'imagegen-blobs-durable-')), 'images');
    journal.length = 0;
    failRename = false;
  });

  afterEach(async () => {
    await rm(join(directory, '..'), { recursive: true, force: true });
  });

  it('flushes the file, renames it into place, then flushes the directory, before resolving', async () => {
    const blobs = await createFileBlobStore({ directory });
    journal.length = 0;

    await blobs.put(Buffer.from([0xff, 0xd8, 0xff, 0x00]), 'image/jpeg');

    expect(journal).toEqual(['sync temporary', 'rename temporary → final (final name existed: false)', 'sync images']);
  });

  it('leaves neither a temporary nor a final file when the write fails', async () => {
    const blobs = await createFileBlobStore({ directory });
    failRename = true;

    await expect(blobs.put(Buffer.from([0xff, 0xd8, 0xff, 0x00]), 'image/jpeg')).rejects.toThrow('disk full');

    expect(await readdir(directory)).toEqual([]);
  });
});
