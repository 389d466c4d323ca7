'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { createToken, listTokens, revokeToken, type TokenView } from '@/components/lib/account-api';
import { describeQuota, emptyQuotaForm, parseQuotaForm, type QuotaErrors } from '@/components/lib/quota-form';
import { ConfirmButton } from './confirm-button';
import { LocalTime } from './local-time';
import { NewTokenSecret } from './new-token-secret';
import { QuotaFields } from './quota-fields';
import styles from './account-forms.module.css';

/**
 * The signed-in user's API tokens: create one (its secret shown once), see when each was used,
 * revoke one (it stops working at once).
 */
export function ApiTokens() {
  const [tokens, setTokens] = useState<TokenView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [revokeError, setRevokeError] = useState<string | null>(null);

  useEffect(() => {
    let isCurrent = true;
    void listTokens().then((result) => {
      if (!isCurrent) return;
      if (result.ok) setTokens(result.value);
      else setLoadError(`The API tokens could not be loaded: ${result.message}`);
    });
    return () => {
      isCurrent = false;
    };
  }, []);

  const revoke = async (token: TokenView) => {
    setRevoking(token.id);
    setRevokeError(null);
    const result = await revokeToken(token.id);
    setRevoking(null);
    if (!result.ok) {
      setRevokeError(`“${token.name}” could not be revoked: ${result.message}`);
      return;
    }
    const revokedAt = new Date().toISOString();
    setTokens((current) => current?.map((candidate) => (candidate.id === token.id ? { ...candidate, revokedAt } : candidate)) ?? null);
  };

  return (
    <section className={styles.card} aria-labelledby="tokens-title" data-testid="api-tokens">
      <div className={styles.cardHeader}>
        <h2 id="tokens-title" className={styles.sectionTitle}>
          API tokens
        </h2>
        <p className={styles.note}>
          For scripts and the command line: send a token as <code>Authorization: Bearer &lt;token&gt;</code>. It acts as you, within your limits and
          its own.
        </p>
      </div>

      {created ? (
        <NewTokenSecret name={created.name} secret={created.secret} onDone={() => setCreated(null)} />
      ) : (
        <NewTokenForm
          onCreated={(token, secret) => {
            setTokens((current) => [token, ...(current ?? [])]);
            setCreated({ name: token.name, secret });
          }}
        />
      )}

      {loadError ? (
        <p className={styles.alert} role="alert">
          {loadError}
        </p>
      ) : null}
      {revokeError ? (
        <p className={styles.alert} role="alert" data-testid="token-error">
          {revokeError}
        </p>
      ) : null}
      {tokens === null ? (
        loadError ? null : <p className={styles.note}>Loading the tokens…</p>
      ) : tokens.length === 0 ? (
        <p className={styles.empty}>No API tokens yet.</p>
      ) : (
        <ul className={styles.list} aria-label="Your API tokens">
          {tokens.map((token) => (
            <TokenItem key={token.id} token={token} isRevoking={revoking === token.id} onRevoke={() => void revoke(token)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function TokenItem({ token, isRevoking, onRevoke }: { token: TokenView; isRevoking: boolean; onRevoke: () => void }) {
  const isRevoked = Boolean(token.revokedAt);
  return (
    <li className={styles.listItem} data-testid="token-item" data-token-id={token.id} data-revoked={isRevoked}>
      <div className={styles.itemMain}>
        <span className={styles.itemName}>
          {token.name}
          {isRevoked ? <span className={`${styles.pill} ${styles.pillDanger}`}>Revoked</span> : null}
        </span>
        <span className={styles.itemMeta}>
          Created <LocalTime timestamp={Date.parse(token.createdAt)} /> ·{' '}
          {token.lastUsedAt ? (
            <>
              last used <LocalTime timestamp={Date.parse(token.lastUsedAt)} />
            </>
          ) : (
            'never used'
          )}
          {token.revokedAt ? (
            <>
              {' '}
              · revoked <LocalTime timestamp={Date.parse(token.revokedAt)} />
            </>
          ) : null}{' '}
          · {Object.keys(token.quota).length === 0 ? 'no limits of its own' : describeQuota(token.quota)}
        </span>
      </div>
      {isRevoked ? null : (
        <ConfirmButton
          label="Revoke"
          pendingLabel="Revoking…"
          question={`Revoke “${token.name}”? Requests with it stop working.`}
          isPending={isRevoking}
          onConfirm={onRevoke}
          testId="token-revoke"
        />
      )}
    </li>
  );
}

function NewTokenForm({ onCreated }: { onCreated: (token: TokenView, secret: string) => void }) {
  const [name, setName] = useState('');
  const [quotaValues, setQuotaValues] = useState(emptyQuotaForm);
  const [quotaErrors, setQuotaErrors] = useState<QuotaErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [isSending, setIsSending] = useState(false);
  const [isLimitsOpen, setIsLimitsOpen] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (isSending) return;
    const quota = parseQuotaForm(quotaValues);
    setQuotaErrors(quota.ok ? {} : quota.errors);
    if (!quota.ok) setIsLimitsOpen(true);
    if (name.trim() === '') {
      setError('Name the token, after where it will be used (“laptop CLI”).');
      return;
    }
    if (!quota.ok) return;
    setError(null);
    setIsSending(true);
    const result = await createToken(name.trim(), quota.quota);
    setIsSending(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    setName('');
    setQuotaValues(emptyQuotaForm);
    onCreated(result.value.token, result.value.secret);
  };

  return (
    <form className={styles.form} onSubmit={(event) => void submit(event)} aria-label="New API token" noValidate>
      <div className={styles.row}>
        <div className={styles.field}>
          <label className={styles.label} htmlFor="token-name">
            New token’s name
          </label>
          <input
            id="token-name"
            className={styles.input}
            value={name}
            maxLength={100}
            placeholder="laptop CLI"
            onChange={(event) => setName(event.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'token-form-error' : undefined}
            data-testid="token-name"
          />
        </div>
      </div>
      <details className={styles.details} open={isLimitsOpen} onToggle={(event) => setIsLimitsOpen(event.currentTarget.open)}>
        <summary>Limits for this token (optional)</summary>
        <QuotaFields idPrefix="token-quota" values={quotaValues} errors={quotaErrors} onChange={setQuotaValues} />
      </details>
      {error ? (
        <p id="token-form-error" className={styles.alert} role="alert" data-testid="token-form-error">
          {error}
        </p>
      ) : null}
      <div className={styles.actions}>
        <span className={styles.note}>Your account’s limits apply to every token as well.</span>
        <button type="submit" className="button button-primary" disabled={isSending} data-testid="token-create">
          {isSending ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}
