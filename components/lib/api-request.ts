import type { z } from 'zod';

/** The schemas module, loaded on first use (see response-schemas.ts). */
export type ResponseSchemas = typeof import('./response-schemas');
/** A schema, or where to find it in the lazily loaded schemas module (keeps zod out of the first load). */
export type SchemaSource<Value> = z.ZodType<Value> | ((schemas: ResponseSchemas) => z.ZodType<Value>);

let responseSchemas: Promise<ResponseSchemas> | undefined;
/** The schemas module, imported once. */
export function loadResponseSchemas(): Promise<ResponseSchemas> {
  responseSchemas ??= import('./response-schemas');
  return responseSchemas;
}

/** Fields the server may name in a 400; shown next to that field. */
export const requestFields = [
  'prompt',
  'numberOfImages',
  'image',
  'provider',
  'model',
  'aspectRatio',
  'size',
  'quality',
  'outputFormat',
  'background',
  'maxCostUsd',
] as const;
export type RequestField = (typeof requestFields)[number];

export interface ApiError {
  /** 0 when the server could not be reached. */
  status: number;
  message: string;
  field?: RequestField;
}

export type ApiResult<Value> = ({ ok: true } & { value: Value }) | ({ ok: false } & ApiError);

export interface SendOptions {
  /**
   * A 401 sends the person to the sign-in page (their session ended, or they never signed in).
   * Off for the sign-in and setup forms, whose 401 is an answer to show.
   * @default true
   */
  isSignInRequired?: boolean;
}

export const signInPath = '/sign-in';

/** What a 401 answers while the browser goes to the sign-in page. */
const signedOutMessage = 'You are signed out: sign in again.';

function isRequestField(value: unknown): value is RequestField {
  return typeof value === 'string' && (requestFields as readonly string[]).includes(value);
}

/** The `{ error, field? }` body of a refused request, or its status line when the body says nothing. */
export async function readApiError(response: Response): Promise<ApiError> {
  let message = `The server answered ${response.status} ${response.statusText}`.trim();
  let field: RequestField | undefined;
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null) {
      if ('error' in body && typeof body.error === 'string') message = body.error;
      if ('field' in body && isRequestField(body.field)) field = body.field;
    }
  } catch {
    // Not JSON: keep the status line.
  }
  return { status: response.status, message, ...(field ? { field } : {}) };
}

/** Leaves the page for the sign-in page (a full load: the next page is rendered for a signed-out visitor). */
export function goToSignIn(): void {
  if (typeof window !== 'undefined' && window.location.pathname !== signInPath) window.location.assign(signInPath);
}

/** The response, or why there is none (the server could not be reached, or refused the request). */
export async function send(url: string, init: RequestInit, { isSignInRequired = true }: SendOptions = {}): Promise<ApiResult<Response>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { Accept: 'application/json', ...init.headers } });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, status: 0, message: `Could not reach the server (${reason})` };
  }
  if (response.status === 401 && isSignInRequired) {
    goToSignIn();
    return { ok: false, status: 401, message: signedOutMessage };
  }
  if (!response.ok) return { ok: false, ...(await readApiError(response)) };
  return { ok: true, value: response };
}

/** The answer's JSON body, validated with `schema` (parse, don't cast). */
export async function requestJson<Value>(url: string, init: RequestInit, source: SchemaSource<Value>, options?: SendOptions): Promise<ApiResult<Value>> {
  const [sent, schema] = await Promise.all([send(url, init, options), typeof source === 'function' ? loadResponseSchemas().then(source) : source]);
  if (!sent.ok) return sent;
  const response = sent.value;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { ok: false, status: response.status, message: 'The server did not answer JSON.' };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, status: response.status, message: `The server's answer was not understood (${parsed.error.issues[0]?.message}).` };
  }
  return { ok: true, value: parsed.data };
}

/** A JSON body and its Content-Type, for `init`. */
export function jsonBody(value: unknown): { body: string; headers: Record<string, string> } {
  return { body: JSON.stringify(value), headers: { 'Content-Type': 'application/json' } };
}
