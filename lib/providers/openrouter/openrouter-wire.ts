import { z } from 'zod';

/** The parts of OpenRouter's chat-completions answer the adapter reads, validated at the boundary. */

const imagePartSchema = z.object({
  type: z.string().optional(),
  image_url: z.object({ url: z.string() }),
});

/** `message.content` is a string, null, or (from some upstreams) an array of typed parts. */
const contentSchema = z.union([z.string(), z.array(z.object({ type: z.string().optional(), text: z.string().optional() }).loose()), z.null()]).optional();

export const chatCompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        native_finish_reason: z.string().nullish(),
        message: z.object({ content: contentSchema, images: z.array(imagePartSchema).nullish() }).loose().optional(),
      }),
    )
    .optional(),
  usage: z
    .object({
      prompt_tokens: z.number().optional(),
      completion_tokens: z.number().optional(),
      total_tokens: z.number().optional(),
    })
    .loose()
    .nullish(),
});

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

/** The text of a message's content, whichever shape it came in. */
export function textOf(content: z.infer<typeof contentSchema>): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => part.text ?? '').join(' ');
  return '';
}

/** `data:image/png;base64,<bytes>` → the bytes; undefined for anything else (an http URL, another encoding). */
export function bytesOfDataUrl(url: string): Uint8Array | undefined {
  const match = /^data:([^;,]*)(?:;[^;,]*)*;base64,(.*)$/s.exec(url);
  return match ? new Uint8Array(Buffer.from(match[2]!, 'base64')) : undefined;
}
