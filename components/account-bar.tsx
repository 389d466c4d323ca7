'use client';

import { useState } from 'react';
import { signOut } from '@/components/lib/account-api';
import { notifyError } from './notify';
import styles from './account-bar.module.css';

/** Who is signed in, as the pages show it (never more than this reaches the browser). */
export interface SignedInUser {
  username: string;
  role: 'admin' | 'user';
}

/**
 * A small line at the top of a page when accounts are on: who is signed in, a link to the other
 * page (Account or the generator), Sign out (the session ends on the server, then the sign-in page).
 * Plain links, not next/link: both pages are rendered on the server per request anyway, and next/link
 * would add about 5 KB of compressed JavaScript to the generator's first load.
 */
export function AccountBar({ user, page }: { user: SignedInUser; page: 'generator' | 'account' }) {
  const [isSigningOut, setIsSigningOut] = useState(false);

  const leave = async () => {
    setIsSigningOut(true);
    const result = await signOut();
    if (result.ok) {
      window.location.assign('/sign-in');
      return;
    }
    setIsSigningOut(false);
    notifyError('Could not sign out', result.message);
  };

  return (
    <nav className={styles.bar} aria-label="Account" data-testid="account-bar">
      <span className={styles.who}>
        Signed in as <strong data-testid="account-username">{user.username}</strong>
        {user.role === 'admin' ? <span className={styles.role}>admin</span> : null}
      </span>
      {page === 'generator' ? (
        <a className={styles.link} href="/account" title="Your account and API tokens" data-testid="account-link">
          Account
        </a>
      ) : (
        <a className={styles.link} href="/" data-testid="generator-link">
          Back to the generator
        </a>
      )}
      <button type="button" className="button button-secondary button-small" onClick={() => void leave()} disabled={isSigningOut} data-testid="sign-out-button">
        {isSigningOut ? 'Signing out…' : 'Sign out'}
      </button>
    </nav>
  );
}
