/**
 * The browser-level notification when a batch ends while the tab is hidden. Permission is asked
 * for at most once per browser, and only from the click on Generate (a user gesture, so the
 * prompt has context); a refusal or a dismissed prompt is never asked again.
 */

const askedKey = 'imagegen.notifications-asked';

function canNotify(): boolean {
  return typeof window !== 'undefined' && typeof Notification !== 'undefined';
}

function hasAsked(): boolean {
  try {
    return window.localStorage.getItem(askedKey) === '1';
  } catch {
    return false;
  }
}

function rememberAsked(): void {
  try {
    window.localStorage.setItem(askedKey, '1');
  } catch {
    // Storage refused (private mode): the worst case is one more question in a later visit.
  }
}

/** Call from the click handler, before any await, so the browser sees the gesture. */
export function askNotificationPermissionOnce(): void {
  if (!canNotify() || Notification.permission !== 'default' || hasAsked()) return;
  rememberAsked();
  try {
    void Notification.requestPermission().catch(() => undefined);
  } catch {
    // Old Safari takes a callback and returns nothing: no notification then.
  }
}

/** Shows `title` and `body` when the tab is hidden and the person allowed notifications. */
export function notifyIfHidden(title: string, body: string | undefined, tag: string): void {
  if (!canNotify() || document.visibilityState !== 'hidden' || Notification.permission !== 'granted') return;
  try {
    const notification = new Notification(title, { ...(body ? { body } : {}), tag });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker: the toast is still there.
  }
}
