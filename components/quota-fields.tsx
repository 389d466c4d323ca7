'use client';

import { quotaLabels, type QuotaErrors, type QuotaField, type QuotaFormValues } from '@/components/lib/quota-form';
import styles from './account-forms.module.css';

const fields: { field: QuotaField; placeholder: string; inputMode: 'numeric' | 'decimal' | 'text'; isWide?: boolean }[] = [
  { field: 'imagesPerDay', placeholder: 'No limit', inputMode: 'numeric' },
  { field: 'concurrentBatches', placeholder: 'No limit', inputMode: 'numeric' },
  { field: 'maxBatchImages', placeholder: 'No limit', inputMode: 'numeric' },
  { field: 'spendPerDayUsd', placeholder: 'No limit', inputMode: 'decimal' },
  { field: 'allowedModels', placeholder: 'Every model', inputMode: 'text', isWide: true },
];

/** The five limits of a quota; an empty field is no limit. `idPrefix` keeps ids unique on the page. */
export function QuotaFields({
  idPrefix,
  values,
  errors,
  onChange,
}: {
  idPrefix: string;
  values: QuotaFormValues;
  errors: QuotaErrors;
  onChange: (values: QuotaFormValues) => void;
}) {
  return (
    <div className={styles.row}>
      {fields.map(({ field, placeholder, inputMode, isWide }) => {
        const id = `${idPrefix}-${field}`;
        const error = errors[field];
        return (
          <div key={field} className={`${styles.field} ${isWide ? '' : styles.fieldSmall}`}>
            <label className={styles.label} htmlFor={id}>
              {quotaLabels[field]}
            </label>
            <input
              id={id}
              className={styles.input}
              inputMode={inputMode}
              placeholder={placeholder}
              value={values[field]}
              onChange={(event) => onChange({ ...values, [field]: event.target.value })}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              data-testid={`quota-${field}`}
            />
            {error ? (
              <span className="field-error" id={`${id}-error`} role="alert" data-testid="field-error" data-field={field}>
                {error}
              </span>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
