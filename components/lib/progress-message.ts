import type { progressEventSchema, ProgressEvent } from '@/lib/core/events';

export type ParsedProgressMessage = { success: true; event: ProgressEvent } | { success: false; problem: string };

/**
 * One SSE message's `data:` as a progress event, validated with the schema instead of cast; the
 * message's `event:` name, when it has one, must match the event's type. The schema is passed in:
 * zod loads after the first paint (see response-schemas.ts).
 */
export function parseProgressMessage(
  schema: typeof progressEventSchema,
  data: string,
  eventName: string | undefined,
  id?: string,
): ParsedProgressMessage {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { success: false, problem: `event ${id || '?'} is not JSON` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return { success: false, problem: `event ${id || '?'} does not match the progress event schema: ${parsed.error.issues[0]?.message}` };
  }
  if (eventName !== undefined && eventName !== parsed.data.type) {
    return { success: false, problem: `event ${id || '?'} is named "${eventName}" but carries a "${parsed.data.type}"` };
  }
  return { success: true, event: parsed.data };
}
