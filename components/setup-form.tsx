'use client';

import { useState, type FormEvent } from 'react';
import { minPasswordLength, setUp } from '@/components/lib/account-api';
import styles from './account-forms.module.css';

type SetupErrors = Partial<Record<'username' | 'password' | 'confirm' | 'form', string>>;

/** The first admin, from the one-time setup link: username, password twice; signed in on success. */
export function SetupForm({ token }: { token: string }) {
  const [errors, setErrors] = useState<SetupErrors>({});
  const [isSending, setIsSending] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (isSending) return;
    const form = new FormData(event.currentTarget);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const confirm = String(form.get('confirm') ?? '');
    const problems: SetupErrors = {};
    if (username === '') problems.username = 'Choose a username.';
    if (password.length < minPasswordLength) problems.password = `The password needs at least ${minPasswordLength} characters.`;
    else if (confirm !== password) problems.confirm = 'The two passwords differ.';
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    setIsSending(true);
    const result = await setUp(token, username, password);
    if (result.ok) {
      window.location.assign('/');
      return;
    }
    setIsSending(false);
    setErrors({ form: result.message });
  };

  return (
    <form className={`${styles.card} ${styles.form}`} onSubmit={(event) => void submit(event)} aria-labelledby="setup-title" data-testid="setup-form" noValidate>
      <div className={styles.cardHeader}>
        <h1 id="setup-title" className={styles.title}>
          Create the admin
        </h1>
        <p className={styles.note}>
          The first account of this server. It can add users and set their limits. Once it exists, everyone signs in, and this link stops working.
        </p>
      </div>
      <Field name="username" label="Username" autoComplete="username" error={errors.username} autoFocus />
      <Field name="password" label={`Password (${minPasswordLength} characters or more)`} type="password" autoComplete="new-password" error={errors.password} />
      <Field name="confirm" label="Password again" type="password" autoComplete="new-password" error={errors.confirm} />
      {errors.form ? (
        <p className={styles.alert} role="alert" data-testid="setup-error">
          {errors.form}
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={isSending} data-testid="setup-button">
        {isSending ? 'Creating…' : 'Create admin and sign in'}
      </button>
    </form>
  );
}

interface FieldProps {
  name: string;
  label: string;
  type?: string;
  autoComplete: string;
  error: string | undefined;
  autoFocus?: boolean;
}

function Field({ name, label, type = 'text', autoComplete, error, autoFocus }: FieldProps) {
  const errorId = `setup-${name}-error`;
  return (
    <label className={styles.field}>
      <span className={styles.label}>{label}</span>
      <input
        className={styles.input}
        name={name}
        type={type}
        autoComplete={autoComplete}
        autoFocus={autoFocus}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
      />
      {error ? (
        <span className="field-error" id={errorId} role="alert" data-testid="field-error" data-field={name}>
          {error}
        </span>
      ) : null}
    </label>
  );
}
