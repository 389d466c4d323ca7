'use client';

import { useState, type FormEvent } from 'react';
import { createUser, minPasswordLength, updateUser, type UserView } from '@/components/lib/account-api';
import { emptyQuotaForm, parseQuotaForm, quotaFormValuesOf, type QuotaErrors } from '@/components/lib/quota-form';
import { QuotaFields } from './quota-fields';
import styles from './account-forms.module.css';

type Role = UserView['role'];

function RoleSelect({ id, value, onChange, isDisabled }: { id: string; value: Role; onChange: (role: Role) => void; isDisabled?: boolean }) {
  return (
    <div className={`${styles.field} ${styles.fieldSmall}`}>
      <label className={styles.label} htmlFor={id}>
        Role
      </label>
      <select
        id={id}
        className={styles.select}
        value={value}
        disabled={isDisabled}
        onChange={(event) => onChange(event.target.value === 'admin' ? 'admin' : 'user')}
        data-testid="user-role"
      >
        <option value="user">User: their own batches</option>
        <option value="admin">Admin: every batch, manages users</option>
      </select>
    </div>
  );
}

function FormError({ message, testId }: { message: string | null; testId: string }) {
  if (!message) return null;
  return (
    <p className={styles.alert} role="alert" data-testid={testId}>
      {message}
    </p>
  );
}

/** A new user: username, first password, role, limits. */
export function NewUserForm({ onCreated }: { onCreated: (user: UserView) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [quotaValues, setQuotaValues] = useState(emptyQuotaForm);
  const [quotaErrors, setQuotaErrors] = useState<QuotaErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [isSending, setIsSending] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (isSending) return;
    const quota = parseQuotaForm(quotaValues);
    setQuotaErrors(quota.ok ? {} : quota.errors);
    if (username.trim() === '') return setError('Choose a username.');
    if (password.length < minPasswordLength) return setError(`The password needs at least ${minPasswordLength} characters.`);
    if (!quota.ok) return setError(null);
    setError(null);
    setIsSending(true);
    const result = await createUser({ username: username.trim(), password, role, quota: quota.quota });
    setIsSending(false);
    if (!result.ok) return setError(result.message);
    setUsername('');
    setPassword('');
    setRole('user');
    setQuotaValues(emptyQuotaForm);
    onCreated(result.value);
  };

  return (
    <form className={styles.form} onSubmit={(event) => void submit(event)} aria-labelledby="new-user-title" data-testid="new-user-form" noValidate>
      <h3 id="new-user-title" className={styles.subTitle}>
        New user
      </h3>
      <div className={styles.row}>
        <div className={styles.field}>
          <label className={styles.label} htmlFor="new-user-username">
            Username
          </label>
          <input
            id="new-user-username"
            className={styles.input}
            value={username}
            autoComplete="off"
            onChange={(event) => setUsername(event.target.value)}
            data-testid="user-username"
          />
        </div>
        <div className={styles.field}>
          <label className={styles.label} htmlFor="new-user-password">
            Password ({minPasswordLength} characters or more)
          </label>
          <input
            id="new-user-password"
            className={styles.input}
            type="password"
            value={password}
            autoComplete="new-password"
            onChange={(event) => setPassword(event.target.value)}
            data-testid="user-password"
          />
        </div>
        <RoleSelect id="new-user-role" value={role} onChange={setRole} />
      </div>
      <QuotaFields idPrefix="new-user-quota" values={quotaValues} errors={quotaErrors} onChange={setQuotaValues} />
      <FormError message={error} testId="user-form-error" />
      <div className={styles.actions}>
        <span className={styles.note}>Empty limits are no limits. They can be changed later.</span>
        <button type="submit" className="button button-primary" disabled={isSending} data-testid="user-create">
          {isSending ? 'Creating…' : 'Create user'}
        </button>
      </div>
    </form>
  );
}

/** A user's role, limits and (optionally) a new password; `isSelf` keeps an admin's own role. */
export function EditUserForm({ user, isSelf, onSaved, onClose }: { user: UserView; isSelf: boolean; onSaved: (user: UserView) => void; onClose: () => void }) {
  const [role, setRole] = useState<Role>(user.role);
  const [password, setPassword] = useState('');
  const [quotaValues, setQuotaValues] = useState(() => quotaFormValuesOf(user.quota));
  const [quotaErrors, setQuotaErrors] = useState<QuotaErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [isSending, setIsSending] = useState(false);
  const idPrefix = `edit-${user.id}`;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (isSending) return;
    const quota = parseQuotaForm(quotaValues);
    setQuotaErrors(quota.ok ? {} : quota.errors);
    if (password !== '' && password.length < minPasswordLength) return setError(`The new password needs at least ${minPasswordLength} characters.`);
    if (!quota.ok) return setError(null);
    setError(null);
    setIsSending(true);
    const result = await updateUser(user.id, { quota: quota.quota, ...(isSelf ? {} : { role }), ...(password === '' ? {} : { password }) });
    setIsSending(false);
    if (!result.ok) return setError(result.message);
    onSaved(result.value);
  };

  return (
    <form className={`${styles.form} ${styles.editor}`} onSubmit={(event) => void submit(event)} aria-label={`Edit ${user.username}`} data-testid="edit-user-form" noValidate>
      <div className={styles.row}>
        <RoleSelect id={`${idPrefix}-role`} value={role} onChange={setRole} isDisabled={isSelf} />
        <div className={styles.field}>
          <label className={styles.label} htmlFor={`${idPrefix}-password`}>
            New password (empty keeps it; a new one signs them out)
          </label>
          <input
            id={`${idPrefix}-password`}
            className={styles.input}
            type="password"
            value={password}
            autoComplete="new-password"
            onChange={(event) => setPassword(event.target.value)}
            data-testid="user-new-password"
          />
        </div>
      </div>
      <QuotaFields idPrefix={`${idPrefix}-quota`} values={quotaValues} errors={quotaErrors} onChange={setQuotaValues} />
      <FormError message={error} testId="user-form-error" />
      <div className={styles.actions}>
        <span />
        <button type="button" className="button button-secondary button-small" onClick={onClose} data-testid="user-edit-cancel">
          Cancel
        </button>
        <button type="submit" className="button button-primary button-small" disabled={isSending} data-testid="user-save">
          {isSending ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
