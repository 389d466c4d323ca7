'use client';

import { useState, type FormEvent } from 'react';
import { signIn } from '@/components/lib/account-api';
import styles from './account-forms.module.css';

/** Username and password; the server's answer (a wrong password, a refused request) is shown as it is. */
export function SignInForm({ notice }: { notice?: string }) {
  const [error, setError] = useState<string | null>(null);
  const [isSending, setIsSending] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (isSending) return;
    const form = new FormData(event.currentTarget);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    if (username === '' || password === '') {
      setError('Enter your username and password.');
      return;
    }
    setIsSending(true);
    setError(null);
    const result = await signIn(username, password);
    if (result.ok) {
      // A full load: the generator is rendered for the signed-in user by the server.
      window.location.assign('/');
      return;
    }
    setIsSending(false);
    setError(result.message);
  };

  return (
    <form className={`${styles.card} ${styles.form}`} onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title" data-testid="sign-in-form" noValidate>
      <div className={styles.cardHeader}>
        <h1 id="sign-in-title" className={styles.title}>
          Sign in
        </h1>
        <p className={styles.note}>{notice ?? 'This image generator has accounts: sign in to see your batches and make new ones.'}</p>
      </div>
      <label className={styles.field}>
        <span className={styles.label}>Username</span>
        <input className={styles.input} name="username" autoComplete="username" autoFocus required data-testid="sign-in-username" />
      </label>
      <label className={styles.field}>
        <span className={styles.label}>Password</span>
        <input
          className={styles.input}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={error === null ? undefined : true}
          aria-describedby={error === null ? undefined : 'sign-in-error'}
          data-testid="sign-in-password"
        />
      </label>
      {error !== null ? (
        <p id="sign-in-error" className={styles.alert} role="alert" data-testid="sign-in-error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={isSending} data-testid="sign-in-button">
        {isSending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
