'use client';

import type { Quota } from '@/lib/core/quota';
import { describeQuota } from '@/components/lib/quota-form';
import { AccountBar, type SignedInUser } from './account-bar';
import { ApiTokens } from './api-tokens';
import { UserAdmin } from './user-admin';
import styles from './account-forms.module.css';

export interface AccountPageProps {
  user: SignedInUser & { id: string; quota: Quota };
}

/** The signed-in user's page: their API tokens; for an admin, the users too. */
export function AccountPage({ user }: AccountPageProps) {
  return (
    <div className={styles.page}>
      <AccountBar user={user} page="account" />
      <header>
        <h1 className={styles.title}>Account</h1>
        <p className={styles.subtitle}>
          {user.role === 'admin' ? 'Your API tokens, and the users of this server.' : 'Your API tokens, for scripts and the command line.'}{' '}
          <span data-testid="own-quota">{Object.keys(user.quota).length === 0 ? 'Your account has no limits.' : `Your limits: ${describeQuota(user.quota)}.`}</span>
        </p>
      </header>
      <ApiTokens />
      {user.role === 'admin' ? <UserAdmin currentUserId={user.id} /> : null}
    </div>
  );
}
