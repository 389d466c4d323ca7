import type { Metadata } from 'next';
import Link from 'next/link';
import { SetupForm } from '@/components/setup-form';
import { secretsMatch } from '@/lib/auth';
import { getBatchRuntime } from '@/lib/server';
import styles from '@/components/account-forms.module.css';

// The setup link is good until the admin exists: checked at request time.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Set up · imagegen' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Why the setup link cannot be used, or undefined when the form may be shown (POST /api/setup checks again). */
async function setupLinkProblem(token: string | undefined): Promise<{ title: string; message: string; canSignIn: boolean } | undefined> {
  const expected = (await getBatchRuntime()).accounts.setupSecret();
  if (expected === undefined) {
    return { title: 'Already set up', message: 'This server already has its admin, so the setup link no longer works. Sign in instead.', canSignIn: true };
  }
  if (token === undefined || token === '') {
    return { title: 'Incomplete setup link', message: "This link has no token: copy the whole setup link from the server's log.", canSignIn: false };
  }
  if (!secretsMatch(token, expected)) {
    return {
      title: 'Setup link not valid',
      message: "This setup link is not valid (a new one is printed each time the server starts): copy it again from the server's log.",
      canSignIn: false,
    };
  }
  return undefined;
}

export default async function SetupPage({ searchParams }: { searchParams: SearchParams }) {
  const { token } = await searchParams;
  const given = typeof token === 'string' ? token : undefined;
  const problem = await setupLinkProblem(given);
  return (
    <div className={styles.narrowPage}>
      {problem || given === undefined ? (
        <section className={`${styles.card} ${styles.form}`} aria-labelledby="setup-problem-title" data-testid="setup-problem">
          <h1 id="setup-problem-title" className={styles.title}>
            {problem?.title}
          </h1>
          <p className={styles.note}>{problem?.message}</p>
          {problem?.canSignIn ? (
            <Link className="button button-primary" href="/sign-in">
              Sign in
            </Link>
          ) : null}
        </section>
      ) : (
        <SetupForm token={given} />
      )}
    </div>
  );
}
