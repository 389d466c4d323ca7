import fc from 'fast-check';
import { longString, nastyString } from './fuzz-arbitraries';
import { bodyArbitrary, type BodySpec } from './fuzz-bodies';

/*
 * Request bodies for the account routes: JSON of the fields each one reads (sign-in, setup, a new
 * user, a user change, a new token), valid-looking, valid-looking with something wrong, or random
 * fields; and, less often, every other body the batch routes get (random JSON, broken JSON, forms,
 * bytes, bodies past the size limit).
 */

/** Which account route's body. */
export type AccountBodyShape = 'sign-in' | 'setup' | 'new-user' | 'user-change' | 'new-token';

/** Accounts that exist on the fuzzed server, so that some sign-ins get through and some names are taken. */
export interface AccountBodyKnowns {
  accounts: readonly { username: string; password: string }[];
}

const validPassword = fc.constantFrom('a long enough password', 'x'.repeat(10), 'x'.repeat(200), 'pässwörd with ünicode 🔑');

const passwordArbitrary = (known: AccountBodyKnowns) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.oneof(fc.constantFrom(...known.accounts.map((account) => account.password)), validPassword) },
    { weight: 1, arbitrary: fc.constantFrom('x'.repeat(9), 'x'.repeat(201), '') },
    { weight: 2, arbitrary: nastyString },
    { weight: 1, arbitrary: longString },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
  );

/** A name nobody has yet (mostly), or one that is taken in some case. */
const newUsername = (known: AccountBodyKnowns) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9._@-]{0,15}$/) },
    { weight: 1, arbitrary: fc.constantFrom(...known.accounts.flatMap(({ username }) => [username, username.toUpperCase()]), 'ünïcödé', '用户', 'x'.repeat(64)) },
  );

const usernameArbitrary = (known: AccountBodyKnowns) =>
  fc.oneof(
    { weight: 4, arbitrary: newUsername(known) },
    { weight: 2, arbitrary: nastyString },
    { weight: 1, arbitrary: fc.constantFrom(' padded ', 'x'.repeat(65), 'bad name', 'a/b') },
    { weight: 1, arbitrary: longString },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
  );

const roleArbitrary = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('admin', 'user') },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('ADMIN', 'root', ''), nastyString, fc.jsonValue({ maxDepth: 1 })) },
);

const tokenNameArbitrary = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('laptop CLI', 'ci', ' padded ', 'x'.repeat(100)) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('', ' ', 'x'.repeat(101)), nastyString, longString, fc.jsonValue({ maxDepth: 1 })) },
);

const setupTokenArbitrary = fc.oneof(fc.constantFrom('igt_', 'x'.repeat(43), 'x'.repeat(200), 'x'.repeat(201)), nastyString, fc.jsonValue({ maxDepth: 1 }));

const countArbitrary = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 1000 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -2, max: 0 }), fc.constantFrom(1.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, '5', '', null, true), fc.double()) },
);

const modelEntryArbitrary = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('demo', 'demo/demo-shapes-v1', 'openai', 'gemini/gemini-3-pro-image') },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom(' ', '', 'x'.repeat(201)), nastyString, fc.jsonValue({ maxDepth: 0 })) },
);

/** Quotas: the real keys with valid or hostile values, unknown keys, wrong shapes. */
const quotaArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        imagesPerDay: countArbitrary,
        concurrentBatches: countArbitrary,
        maxBatchImages: countArbitrary,
        spendPerDayUsd: fc.oneof(fc.double({ min: 0, max: 1_000_000, noNaN: true }), fc.double(), fc.constantFrom(0, 1_000_001, -0.01, '1', null)),
        allowedModels: fc.oneof(
          { weight: 3, arbitrary: fc.array(modelEntryArbitrary, { maxLength: 4 }) },
          { weight: 1, arbitrary: fc.integer({ min: 99, max: 102 }).map((count) => Array.from({ length: count }, (_, index) => `demo/model-${index}`)) },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ imagesPerHour: fc.nat() }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** A quota every limit of which is valid. */
const validQuotaArbitrary = fc.record(
  {
    imagesPerDay: fc.integer({ min: 1, max: 1000 }),
    concurrentBatches: fc.integer({ min: 1, max: 10 }),
    maxBatchImages: fc.integer({ min: 1, max: 100 }),
    spendPerDayUsd: fc.double({ min: 0, max: 100, noNaN: true }),
    allowedModels: fc.array(fc.constantFrom('demo', 'demo/demo-shapes-v1', 'openai', 'gemini/gemini-3-pro-image'), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

/** Mostly the valid values, now and then a hostile one: a valid-looking body is often valid. */
const mostly = <Value>(valid: fc.Arbitrary<Value>, hostile: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 5, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: hostile });

/** Any field an account route reads, with any value, and names none reads. */
function fieldEntryArbitrary(known: AccountBodyKnowns): fc.Arbitrary<[string, unknown]> {
  return fc.oneof(
    fc.tuple(fc.constant('username'), usernameArbitrary(known)),
    fc.tuple(fc.constant('password'), passwordArbitrary(known)),
    fc.tuple(fc.constant('token'), setupTokenArbitrary),
    fc.tuple(fc.constant('role'), roleArbitrary),
    fc.tuple(fc.constant('name'), tokenNameArbitrary),
    fc.tuple(fc.constant('quota'), quotaArbitrary),
    fc.tuple(fc.constantFrom('__proto__', 'constructor', 'id', 'userId', 'secretHash', 'passwordHash', 'extra'), fc.jsonValue({ maxDepth: 2 })),
  );
}

const entriesOf = (record: Record<string, unknown>) => Object.entries(record) as [string, unknown][];

/** The body a route of this shape expects, its values mostly valid. */
function validLookingFields(shape: AccountBodyShape, known: AccountBodyKnowns): fc.Arbitrary<[string, unknown][]> {
  const username = mostly(newUsername(known), usernameArbitrary(known));
  const password = mostly(validPassword, passwordArbitrary(known));
  const role = mostly(fc.constantFrom('admin', 'user'), roleArbitrary);
  const quota = mostly(validQuotaArbitrary, quotaArbitrary);
  switch (shape) {
    case 'sign-in':
      return fc.oneof(
        fc.constantFrom(...known.accounts).map(({ username, password }) => entriesOf({ username, password })),
        fc.record({ username: usernameArbitrary(known), password: passwordArbitrary(known) }).map(entriesOf),
      );
    case 'setup':
      return fc.record({ token: setupTokenArbitrary, username, password }).map(entriesOf);
    case 'new-user':
      return fc.record({ username, password, role, quota }, { requiredKeys: ['username', 'password'] }).map(entriesOf);
    case 'user-change':
      return fc.record({ password, role, quota }, { requiredKeys: [] }).map(entriesOf);
    default:
      return fc.record({ name: mostly(fc.constantFrom('laptop CLI', 'ci', ' padded '), tokenNameArbitrary), quota }, { requiredKeys: ['name'] }).map(entriesOf);
  }
}

/** A body for an account route: mostly JSON of its own fields, sometimes anything the batch routes get. */
export function accountBodyArbitrary(shape: AccountBodyShape, known: AccountBodyKnowns): fc.Arbitrary<BodySpec> {
  const valid = validLookingFields(shape, known);
  const entries = fc.oneof(
    { weight: 5, arbitrary: valid },
    { weight: 2, arbitrary: fc.array(fieldEntryArbitrary(known), { maxLength: 5 }) },
    { weight: 2, arbitrary: fc.tuple(valid, fc.array(fieldEntryArbitrary(known), { minLength: 1, maxLength: 2 })).map(([fields, extra]) => [...fields, ...extra]) },
  );
  return fc.oneof(
    { weight: 8, arbitrary: entries.map((fields): BodySpec => ({ kind: 'json', json: { kind: 'fields', entries: fields, images: { kind: 'none' } } })) },
    { weight: 3, arbitrary: bodyArbitrary({ json: 6, form: 2 }) },
  );
}
