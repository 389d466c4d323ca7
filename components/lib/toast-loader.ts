/**
 * sonner (about 13 KB of compressed JavaScript) loads after the first paint: the page's <Toaster>
 * imports it once mounted, and a notification asked for before then waits until the toaster is on
 * the page (a toast sent before sonner's <Toaster> listens would be lost).
 */
export type Sonner = typeof import('sonner');

let resolveMounted: (sonner: Sonner) => void = () => {};
const mounted = new Promise<Sonner>((resolve) => (resolveMounted = resolve));

/** Resolves with sonner once its <Toaster> is on the page. */
export function whenToasterReady(): Promise<Sonner> {
  return mounted;
}

/** Called by components/toaster.tsx once sonner's <Toaster> has mounted. */
export function markToasterReady(sonner: Sonner): void {
  resolveMounted(sonner);
}

/** The import the toaster makes once, after the first paint. */
export function importSonner(): Promise<Sonner> {
  return import('sonner');
}
