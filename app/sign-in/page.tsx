import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/sign-in-form';
import { authenticateRequest, getBatchRuntime, isAuthError } from '@/lib/server';
import styles from '@/components/account-forms.module.css';

// Who is signed in is known only at request time.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Sign in · imagegen' };

type Visitor = { kind: 'signed-in' } | { kind: 'signed-out'; isSetupPending: boolean } | { kind: 'no-accounts'; message?: string };

/** Signed in already, signed out (the form), or a server without accounts (nothing to sign in to). */
async function whoIsVisiting(): Promise<Visitor> {
  try {
    const principal = await authenticateRequest({ headers: await headers() });
    return principal.kind === 'user' ? { kind: 'signed-in' } : { kind: 'no-accounts' };
  } catch (error) {
    if (!isAuthError(error)) throw error;
    if (error.status === 403) return { kind: 'no-accounts', message: error.message };
    return { kind: 'signed-out', isSetupPending: (await getBatchRuntime()).accounts.setupSecret() !== undefined };
  }
}

export default async function SignInPage() {
  const visitor = await whoIsVisiting();
  if (visitor.kind === 'signed-in') redirect('/');
  if (visitor.kind === 'no-accounts') {
    return (
      <div className={styles.narrowPage}>
        <section className={`${styles.card} ${styles.form}`} aria-labelledby="no-accounts-title" data-testid="accounts-off">
          <h1 id="no-accounts-title" className={styles.title}>
            No sign-in needed
          </h1>
          <p className={styles.note}>
            {visitor.message ?? 'This server has no accounts: it serves only this machine, and everything on it is yours.'}
          </p>
          {visitor.message ? null : (
            <Link className="button button-primary" href="/">
              Go to the generator
            </Link>
          )}
        </section>
      </div>
    );
  }
  return (
    <div className={styles.narrowPage}>
      <SignInForm
        {...(visitor.isSetupPending
          ? { notice: "This server has no admin yet: open the setup link printed in the server's log (or set ADMIN_PASSWORD and restart it)." }
          : {})}
      />
    </div>
  );
}
