import { mkdirSync } from 'node:fs';
import { adminCredentials, expect, test } from './accounts-test';

/** Signing in and out on the server with accounts; /setup once the admin exists. */

const screenshots = 'test-results/screenshots';

test('a signed-out visitor of / gets the sign-in page; a wrong password says so; the right one opens the generator', async ({
  page,
  generator,
  allowConsoleErrors,
}) => {
  // The browser logs the refused sign-in (401) as a failed resource.
  allowConsoleErrors(/status of 401/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('sign-in-username')).toBeFocused();
  await expect(generator.prompt).toHaveCount(0);

  await page.getByTestId('sign-in-username').fill(adminCredentials.username);
  await page.getByTestId('sign-in-password').fill('not the password');
  const refused = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/session' && response.request().method() === 'POST');
  await page.getByTestId('sign-in-button').click();
  expect((await refused).status()).toBe(401);
  await expect(page.getByTestId('sign-in-error')).toHaveText('Wrong username or password.');
  await expect(page).toHaveURL(/\/sign-in$/);

  await page.getByTestId('sign-in-password').fill(adminCredentials.password);
  await page.getByTestId('sign-in-button').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(generator.prompt).toBeFocused();
  await expect(page.getByTestId('account-username')).toHaveText(adminCredentials.username);
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: `${screenshots}/accounts-generator-signed-in-desktop.png`, animations: 'disabled' });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${screenshots}/accounts-generator-signed-in-phone.png`, animations: 'disabled' });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Signed in, /sign-in goes straight back to the generator.
  await page.goto('/sign-in');
  await expect(page).toHaveURL(/\/$/);
  await expect(generator.prompt).toBeVisible();

  // Sign out: the session ends on the server too; / asks to sign in again.
  const signOut = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/session' && response.request().method() === 'DELETE');
  await page.getByTestId('sign-out-button').click();
  expect((await signOut).status()).toBe(204);
  await expect(page).toHaveURL(/\/sign-in$/);
  expect((await page.request.get('/api/batches')).status()).toBe(401);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('the account page sends a signed-out visitor to sign in; the page goes to sign in when its session ends', async ({ page, signedInRequest, allowConsoleErrors }) => {
  allowConsoleErrors(/status of 401/);
  await page.goto('/account');
  await expect(page).toHaveURL(/\/sign-in$/);

  // Signed in in this browser, then signed out elsewhere (the session is deleted on the server):
  // the next API call of the page (here: Generate) lands on the sign-in page, not on an error.
  const cookieSession = await signedInRequest(adminCredentials);
  const signedIn = await cookieSession.storageState();
  await page.context().addCookies(signedIn.cookies);
  await page.goto('/');
  await expect(page.getByTestId('prompt-input')).toBeFocused();
  await cookieSession.delete('/api/session');
  await page.getByTestId('prompt-input').fill('a batch after the session ended');
  const refused = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/batches' && response.request().method() === 'POST');
  await page.getByTestId('generate-button').click();
  expect((await refused).status()).toBe(401);
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('the setup link says the server is set up once the admin exists', async ({ page }) => {
  await page.goto('/setup?token=anything');
  await expect(page.getByTestId('setup-problem')).toContainText('already has its admin');
  await expect(page.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/sign-in');
  const response = await page.request.post('/api/setup', { data: { token: 'anything', username: 'mallory', password: 'a long enough password' } });
  expect(response.status()).toBe(403);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`screenshot: the sign-in page, ${colorScheme}, at 1280 and 390 wide`, async ({ page, allowConsoleErrors }) => {
    allowConsoleErrors(/status of 401/);
    await page.emulateMedia({ colorScheme });
    mkdirSync(screenshots, { recursive: true });
    await page.goto('/sign-in');
    await page.getByTestId('sign-in-username').fill('ada');
    await page.getByTestId('sign-in-password').fill('a wrong password');
    await page.getByTestId('sign-in-button').click();
    await expect(page.getByTestId('sign-in-error')).toBeVisible();
    await page.screenshot({ path: `${screenshots}/accounts-sign-in-desktop-${colorScheme}.png`, animations: 'disabled' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${screenshots}/accounts-sign-in-phone-${colorScheme}.png`, animations: 'disabled' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });
}
