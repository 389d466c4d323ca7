import { useEffect, type RefObject } from 'react';

/**
 * Keeps what a person typed into a text field before the page's script ran. The server's HTML can
 * be typed into at once (the prompt even has focus), but React hydrates a controlled field with its
 * own state and fires no change for earlier typing: the box would show the text while the page holds
 * none (a search that never runs, a prompt called empty). Once mounted, a value that differs from the
 * one the server sent (`defaultValue`) is handed to `adopt`; later typing goes through `onChange`.
 */
export function useTypedBeforeHydration(field: RefObject<HTMLInputElement | HTMLTextAreaElement | null>, adopt: (typed: string) => void): void {
  useEffect(() => {
    const element = field.current;
    if (element && element.value !== element.defaultValue) adopt(element.value);
    // Once, on mount: what hydration could not see. `adopt` may change identity on every render.
  }, []);
}
