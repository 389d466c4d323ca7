import { authenticate, type Principal } from '../accounts';
import { getApp } from '../create-app';

/**
 * Who an OpenAI-compatible client is. OpenAI's SDKs refuse to run without an API key and always
 * send it as `Authorization: Bearer`. With accounts on, it must be one of this server's API tokens
 * (`igt_…`). Without accounts there are no tokens, so whatever key the client sends is ignored and
 * the request is the local person's: served from this machine only, like the rest of the API.
 */
export async function authenticateOpenAIClient(request: Request): Promise<Principal> {
  const { accounts } = await getApp().batches();
  if (await accounts.required()) return authenticate(request.headers, accounts);
  const headers = new Headers(request.headers);
  headers.delete('authorization');
  return authenticate(headers, accounts);
}
