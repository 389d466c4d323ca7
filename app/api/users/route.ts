import { respondToCreateUser, respondToListUsers } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Admin: every user with their quota. */
export function GET(request: Request): Promise<Response> {
  return respondToListUsers(request);
}

/** Admin: a new user `{ username, password, role?, quota? }`. */
export function POST(request: Request): Promise<Response> {
  return respondToCreateUser(request);
}
