import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { productionBuildProblem } from './production-build';

// File times are set explicitly: the build at t=2000 s, sources before or after it.
const builtAt = new Date(2_000_000);
const before = new Date(1_000_000);
const after = new Date(3_000_000);

describe('productionBuildProblem', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'imagegen-build-'));
    await mkdir(join(root, 'lib/server'), { recursive: true });
    await mkdir(join(root, 'app'), { recursive: true });
    await writeFile(join(root, 'lib/server/sse.ts'), '');
    await writeFile(join(root, 'proxy.ts'), '');
    await utimes(join(root, 'lib/server/sse.ts'), before, before);
    await utimes(join(root, 'proxy.ts'), before, before);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const build = async () => {
    await mkdir(join(root, '.next'), { recursive: true });
    await writeFile(join(root, '.next/BUILD_ID'), 'build');
    await utimes(join(root, '.next/BUILD_ID'), builtAt, builtAt);
  };

  it('says when there is no build', () => {
    expect(productionBuildProblem(root)).toMatch(/no production build/);
  });

  it('accepts a build newer than every source', async () => {
    await build();
    expect(productionBuildProblem(root)).toBeUndefined();
  });

  it('names a source changed after the build, in a folder or at the top', async () => {
    await build();
    await utimes(join(root, 'lib/server/sse.ts'), after, after);
    expect(productionBuildProblem(root)).toBe('the production build is older than lib/server/sse.ts');
    await utimes(join(root, 'lib/server/sse.ts'), before, before);
    await utimes(join(root, 'proxy.ts'), after, after);
    expect(productionBuildProblem(root)).toBe('the production build is older than proxy.ts');
  });

  it('ignores test files, which are not built', async () => {
    await build();
    await writeFile(join(root, 'lib/server/sse.test.ts'), '');
    await utimes(join(root, 'lib/server/sse.test.ts'), after, after);
    expect(productionBuildProblem(root)).toBeUndefined();
  });
});
