/**
 * Structured logs: one JSON object per line on stdout. Callers pass ids, counts and kinds, never
 * API keys, prompts' images or image bytes.
 */
export function logEvent(event: string, fields: Record<string, string | number | boolean | undefined> = {}): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  console.log(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));
}
