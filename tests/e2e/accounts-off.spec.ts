import { expect, test } from './base-test';

/** The server without accounts (one person, this machine): the account pages say so, the generator shows nothing new. */

test('without accounts: no account bar; /sign-in and /account say there is nothing to sign in to', async ({ page, generator, request }) => {
  expect(await (await request.get('/api/session')).json()).toMatchObject({ accounts: 'off' });
  await generator.goto();
  await expect(page.getByTestId('account-bar')).toHaveCount(0);

  await page.goto('/sign-in');
  await expect(page.getByTestId('accounts-off')).toContainText('no accounts');
  await page.getByRole('link', { name: 'Go to the generator' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(generator.prompt).toBeFocused();

  await page.goto('/account');
  await expect(page.getByTestId('accounts-off')).toContainText('without accounts or API tokens');
});
