/** Accounts' building blocks: password hashing and secrets. The HTTP side is lib/server's. */
export { hashPassword, verifyPassword, passwordProblem, minPasswordLength, maxPasswordLength } from './passwords';
export { newSecret, hashSecret, secretsMatch, newApiToken, apiTokenPrefix } from './secrets';
