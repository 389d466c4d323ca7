/**
 * Lets plain Node 24 (which strips TypeScript types itself) run this project's .ts modules in a
 * child process, as the tests that spawn a real server need: resolves the `@/` alias and
 * extensionless relative imports (`./batch-queue` → `./batch-queue.ts` or `./queue/index.ts`).
 * Use: node --import ./lib/server/testing/typescript-hooks.mjs some-entry.ts
 */
import { statSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const projectRoot = new URL('../../../', import.meta.url);

function isFile(url) {
  try {
    return statSync(fileURLToPath(url)).isFile();
  } catch {
    return false;
  }
}

/** The project's .ts files are ES modules (package.json names no type, so Node would guess, with a warning). */
function asTypeScriptModule(resolved) {
  const isProjectTypeScript = resolved.url.startsWith(projectRoot.href) && !resolved.url.includes('/node_modules/') && resolved.url.endsWith('.ts');
  return isProjectTypeScript ? { ...resolved, format: 'module-typescript' } : resolved;
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    const isAlias = specifier.startsWith('@/');
    const isRelative = specifier.startsWith('./') || specifier.startsWith('../');
    const isFromProjectSource = context.parentURL?.startsWith(projectRoot.href) && !context.parentURL.includes('/node_modules/');
    if (isAlias || (isRelative && isFromProjectSource)) {
      const base = isAlias ? new URL(specifier.slice(2), projectRoot) : new URL(specifier, context.parentURL);
      for (const candidate of [base.href, `${base.href}.ts`, `${base.href}/index.ts`]) {
        if (isFile(candidate)) return asTypeScriptModule(nextResolve(candidate, context));
      }
    }
    return asTypeScriptModule(nextResolve(specifier, context));
  },
});
