import { mkdirSync } from 'node:fs';
import { adminCredentials, expect, test } from './accounts-test';

/** The account page: API tokens (the secret shown once, revoke), and the admin's users with their quotas. */

const screenshots = 'test-results/screenshots';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('an API token made on the account page creates a batch with Authorization: Bearer; revoked on the page, the next request is 401', async ({
  request,
  createUser,
  openAs,
}) => {
  const dana = await createUser('dana');
  const { page } = await openAs(dana);
  await page.getByTestId('account-link').click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'Account' })).toBeVisible();
  await expect(page.getByText('No API tokens yet.')).toBeVisible();
  await expect(page.getByTestId('own-quota')).toHaveText('Your account has no limits.');
  // A user, not an admin: no users section.
  await expect(page.getByTestId('user-admin')).toHaveCount(0);

  await page.getByTestId('token-name').fill('laptop CLI');
  const created = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/tokens' && response.request().method() === 'POST');
  await page.getByTestId('token-create').click();
  expect((await created).status()).toBe(201);
  await expect(page.getByTestId('token-created')).toContainText('you will not see it again');
  const secret = await page.getByTestId('token-secret').inputValue();
  expect(secret).toMatch(/^igt_/);
  await page.getByTestId('token-copy').click();
  await expect(page.getByTestId('token-copy-status')).toHaveText('Copied to the clipboard.');
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: `${screenshots}/accounts-account-token-secret-desktop.png`, animations: 'disabled' });
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(secret);
  const item = page.getByTestId('token-item').filter({ hasText: 'laptop CLI' });
  await expect(item).toContainText('never used');

  // The token works on its own, without the session (`request` has no cookie).
  const bearer = { Authorization: `Bearer ${copied}` };
  const batch = await request.post('/api/batches', { headers: bearer, data: { prompt: 'made with an API token', numberOfImages: 1 } });
  expect(batch.status()).toBe(202);
  const { id: batchId } = (await batch.json()) as { id: string };
  expect((await request.get(`/api/batches/${batchId}`, { headers: bearer })).status()).toBe(200);

  // Shown once: gone after "Done", and not on the page after a reload; the list says it was used.
  await page.getByTestId('token-done').click();
  await expect(page.getByTestId('token-secret')).toHaveCount(0);
  await page.reload();
  await expect(item).toContainText('last used');
  expect(await page.content()).not.toContain(secret);

  // Revoke asks first; Keep keeps it.
  await item.getByTestId('token-revoke').click();
  await expect(item.getByTestId('token-revoke-keep')).toBeFocused();
  await item.getByTestId('token-revoke-keep').click();
  await expect(item.getByTestId('token-revoke')).toBeFocused();
  expect((await request.get('/api/batches', { headers: bearer })).status()).toBe(200);

  await item.getByTestId('token-revoke').click();
  await page.screenshot({ path: `${screenshots}/accounts-account-tokens-desktop.png`, animations: 'disabled' });
  const revoked = page.waitForResponse((response) => new URL(response.url()).pathname.startsWith('/api/tokens/') && response.request().method() === 'DELETE');
  await item.getByTestId('token-revoke-confirm').click();
  expect((await revoked).status()).toBe(204);
  await expect(item).toHaveAttribute('data-revoked', 'true');
  await expect(item).toContainText('Revoked');

  const refused = await request.post('/api/batches', { headers: bearer, data: { prompt: 'after the revoke', numberOfImages: 1 } });
  expect(refused.status()).toBe(401);
  expect(((await refused.json()) as { error: string }).error).toMatch(/revoked/);
  expect((await request.get(`/api/batches/${batchId}`, { headers: bearer })).status()).toBe(401);
});

test('the admin creates a user with a quota on the account page, edits the quota, deletes the user; the quota is enforced', async ({
  admin,
  openAs,
  signedInRequest,
}) => {
  const { page } = await openAs(adminCredentials);
  await page.goto('/account');
  const users = page.getByTestId('user-admin');
  await expect(users.getByTestId('user-item').filter({ hasText: adminCredentials.username }).first()).toContainText('You');

  const username = `erin-${Date.now().toString(36)}`;
  const password = 'erin has a long password';
  const form = users.getByTestId('new-user-form');
  await form.getByTestId('user-username').fill(username);
  await form.getByTestId('user-password').fill(password);
  await form.getByTestId('quota-imagesPerDay').fill('20');
  await form.getByTestId('quota-maxBatchImages').fill('lots');
  await form.getByTestId('user-create').click();
  // Checked before sending, next to the field.
  await expect(form.locator('[data-testid="field-error"][data-field="maxBatchImages"]')).toBeVisible();
  await form.getByTestId('quota-maxBatchImages').fill('3');
  await form.getByTestId('quota-allowedModels').fill('demo');
  const created = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/users' && response.request().method() === 'POST');
  await form.getByTestId('user-create').click();
  expect((await created).status()).toBe(201);
  const item = users.locator(`[data-testid="user-item"][data-username="${username}"]`);
  await expect(item.getByTestId('user-quota')).toHaveText('20 images a day · at most 3 per batch · models: demo');
  await expect(form.getByTestId('user-username')).toHaveValue('');

  // The quota holds for the new user: 4 images in one batch is too many (403).
  const erin = await signedInRequest({ username, password });
  const tooLarge = await erin.post('/api/batches', { data: { prompt: 'four at once', numberOfImages: 4 } });
  expect(tooLarge.status()).toBe(403);

  // Edit: the largest batch goes to 5; the API has the new quota.
  await item.getByTestId('user-edit').click();
  const editor = item.getByTestId('edit-user-form');
  await expect(editor.getByTestId('quota-maxBatchImages')).toHaveValue('3');
  await editor.getByTestId('quota-maxBatchImages').fill('5');
  const saved = page.waitForResponse((response) => new URL(response.url()).pathname.startsWith('/api/users/') && response.request().method() === 'POST');
  await editor.getByTestId('user-save').click();
  expect((await saved).status()).toBe(200);
  await expect(item.getByTestId('user-quota')).toHaveText('20 images a day · at most 5 per batch · models: demo');
  const listed = (await (await admin.get('/api/users')).json()) as { users: { username: string; quota: Record<string, unknown> }[] };
  expect(listed.users.find((user) => user.username === username)?.quota).toEqual({ imagesPerDay: 20, maxBatchImages: 5, allowedModels: ['demo'] });
  const fits = await erin.post('/api/batches', { data: { prompt: 'four at once, now allowed', numberOfImages: 4 } });
  expect(fits.status()).toBe(202);

  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: `${screenshots}/accounts-account-admin-desktop.png`, fullPage: true, animations: 'disabled' });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${screenshots}/accounts-account-admin-phone.png`, fullPage: true, animations: 'disabled' });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Delete asks first; then the user and their session are gone.
  await item.getByTestId('user-delete').click();
  const deleted = page.waitForResponse((response) => new URL(response.url()).pathname.startsWith('/api/users/') && response.request().method() === 'DELETE');
  await item.getByTestId('user-delete-confirm').click();
  expect((await deleted).status()).toBe(204);
  await expect(item).toHaveCount(0);
  const after = (await (await admin.get('/api/users')).json()) as { users: { username: string }[] };
  expect(after.users.map((user) => user.username)).not.toContain(username);
  expect((await erin.get('/api/batches')).status()).toBe(401);
});
