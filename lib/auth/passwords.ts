import { hash, verify } from '@node-rs/argon2';

/**
 * Passwords are hashed with Argon2id (@node-rs/argon2, the library's defaults: 19 MiB, 2 passes,
 * the OWASP recommendation) into a PHC string that carries its own salt and parameters.
 */
export const minPasswordLength = 10;
export const maxPasswordLength = 200;

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** A hash of a password nobody has: verifying against it costs what a real check costs. */
let decoyHash: Promise<string> | undefined;

/**
 * True when `password` matches `passwordHash`. Without a hash (no such user) it still spends the
 * time of a check, so the answer's timing does not tell which usernames exist.
 */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash === undefined) {
    decoyHash ??= hash('decoy password that matches no account');
    await verify(await decoyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

/** Why a new password is refused, or undefined when it will do. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < minPasswordLength) return `The password must have at least ${minPasswordLength} characters.`;
  if (password.length > maxPasswordLength) return `The password must have at most ${maxPasswordLength} characters.`;
  return undefined;
}
