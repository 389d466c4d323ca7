import { whenToasterReady, type Sonner } from '@/components/lib/toast-loader';
import type { Outcome } from '@/components/lib/batch-state';

/** Every toast carries data-testid="toast" (sonner puts `testId` on the toast's <li>). */
const base = { testId: 'toast' } as const;

/** Shows the toast once sonner's <Toaster> is on the page (at once after the first time). */
function withToast(show: (toast: Sonner['toast']) => void): void {
  void whenToasterReady().then(({ toast }) => show(toast));
}

/** The end-of-batch notification: green, orange or red, naming the images that failed. */
export function notifyOutcome({ tone, title, description }: Outcome): void {
  const options = { ...base, ...(description ? { description } : {}), duration: tone === 'success' ? 5000 : 10_000 };
  withToast((toast) => {
    if (tone === 'success') toast.success(title, options);
    else if (tone === 'warning') toast.warning(title, options);
    else if (tone === 'error') toast.error(title, options);
    else toast.info(title, options);
  });
}

export function notifyError(title: string, description?: string): void {
  withToast((toast) => toast.error(title, { ...base, ...(description ? { description } : {}), duration: 10_000 }));
}

export function notifyInfo(title: string): void {
  withToast((toast) => toast(title, { ...base, duration: 3000 }));
}
