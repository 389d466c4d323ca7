import { expect, test } from './accounts-test';
import { expectNoSeriousViolations } from './axe';

/** axe-core on the pages of the server with accounts: the sign-in page and the account page, desktop and phone. */

const viewports = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

for (const { name, viewport } of viewports) {
  test(`axe: /sign-in and /account (${name}): no serious or critical violation`, async ({ page, createUser, openAs, allowConsoleErrors }) => {
    test.setTimeout(60_000);
    allowConsoleErrors(/status of 401/);
    await page.setViewportSize(viewport);
    await page.goto('/sign-in');
    await expect(page.getByTestId('sign-in-username')).toBeFocused();
    await expectNoSeriousViolations(page, `/sign-in (${name})`);
    // With its error shown.
    await page.getByTestId('sign-in-username').fill('nobody');
    await page.getByTestId('sign-in-password').fill('not a password at all');
    await page.getByTestId('sign-in-button').click();
    await expect(page.getByTestId('sign-in-error')).toBeVisible();
    await expectNoSeriousViolations(page, `/sign-in with an error (${name})`);

    const user = await createUser('axe');
    const signedIn = await openAs(user);
    await signedIn.page.setViewportSize(viewport);
    await signedIn.page.goto('/account');
    await expect(signedIn.page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectNoSeriousViolations(signedIn.page, `/account (${name})`);
  });
}

test('axe: /account as the admin, with users and tokens listed (desktop)', async ({ createUser, openAs }) => {
  const admin = await createUser('axe-admin', { role: 'admin' });
  const { page } = await openAs(admin);
  await page.goto('/account');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectNoSeriousViolations(page, '/account as the admin');
});
