import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { AccountPage } from '@/components/account-page';
import { authenticateRequest, isAuthError, type Principal } from '@/lib/server';
import styles from '@/components/account-forms.module.css';

// Who is signed in is known only at request time.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Account · imagegen' };

/** Who is looking: signed out goes to the sign-in page; a refusal (no accounts, not this machine) is said. */
async function whoIsAsking(): Promise<Principal | { refused: string }> {
  try {
    return await authenticateRequest({ headers: await headers() });
  } catch (error) {
    if (isAuthError(error) && error.status === 401) redirect('/sign-in');
    if (isAuthError(error)) return { refused: error.message };
    throw error;
  }
}

export default async function AccountRoute() {
  const principal = await whoIsAsking();
  if ('refused' in principal || principal.kind === 'local') {
    return (
      <div className={styles.narrowPage}>
        <section className={`${styles.card} ${styles.form}`} aria-labelledby="account-off-title" data-testid="accounts-off">
          <h1 id="account-off-title" className={styles.title}>
            No accounts on this server
          </h1>
          <p className={styles.note}>
            {'refused' in principal
              ? principal.refused
              : 'This server serves only this machine, without accounts or API tokens. To add them, set ADMIN_PASSWORD (or open the setup link printed in its log).'}
          </p>
          {'refused' in principal ? null : (
            <Link className="button button-primary" href="/">
              Go to the generator
            </Link>
          )}
        </section>
      </div>
    );
  }
  const { id, username, role, quota } = principal.user;
  return <AccountPage user={{ id, username, role, quota }} />;
}
