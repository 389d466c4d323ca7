'use client';

import type { ModelCapabilities } from '@/lib/core/image-options';
import { extraOptionFieldsOf, extraOptionLabels, type ExtraOptionField, type OptionValues } from '@/components/lib/model-options';
import { FieldError, type FieldErrors } from './field-error';
import styles from './composer.module.css';

interface MoreOptionsProps {
  /** `id` prefix from the composer's `useId()`. */
  id: string;
  capabilities: ModelCapabilities;
  options: OptionValues;
  errors: FieldErrors;
  onOptionsChange: (change: Partial<OptionValues>) => void;
}

/** Placeholders that show the model's default, so an empty field says what it will get. */
function placeholderOf(field: ExtraOptionField, capabilities: ModelCapabilities): string {
  const extra = capabilities.extraOptions ?? {};
  if (field === 'seed') return 'Random';
  if (field === 'steps') return String(extra.steps?.default ?? '');
  if (field === 'cfgScale') return String(extra.cfgScale?.default ?? '');
  if (field === 'denoisingStrength') return '0.75';
  return '';
}

/** Number input limits from the model's ranges. */
function rangeOf(field: ExtraOptionField, capabilities: ModelCapabilities): { min?: number; max?: number; step?: number } {
  const extra = capabilities.extraOptions ?? {};
  if (field === 'seed') return { min: 0, max: 2 ** 32 - 1, step: 1 };
  if (field === 'steps') return { min: extra.steps?.min, max: extra.steps?.max, step: 1 };
  if (field === 'cfgScale') return { min: extra.cfgScale?.min, max: extra.cfgScale?.max, step: 0.5 };
  return { min: 0, max: 1, step: 0.05 };
}

/**
 * A compact "More options" disclosure with the diffusion controls the chosen model takes (negative
 * prompt, seed, steps, CFG, sampler, denoising); nothing at all for models that take none. Closed by
 * default: most batches never need them.
 */
export function MoreOptions({ id, capabilities, options, errors, onOptionsChange }: MoreOptionsProps) {
  const fields = extraOptionFieldsOf(capabilities);
  if (fields.length === 0) return null;
  const samplers = capabilities.extraOptions?.samplers ?? [];
  const isChanged = fields.some((field) => options[field].trim() !== '');

  return (
    <details className={`${styles.wideOption} ${styles.moreOptions}`} data-testid="more-options" open={isChanged || undefined}>
      <summary className={styles.optionLabel}>More options</summary>
      <div className={styles.options}>
        {fields.map((field) => {
          const inputId = `${id}-${field}`;
          const errorId = `${inputId}-error`;
          const error = errors[field];
          const common = {
            id: inputId,
            'data-testid': `${field}-input`,
            'aria-invalid': error ? true : undefined,
            'aria-describedby': error ? errorId : undefined,
          };
          return (
            <div key={field} className={field === 'negativePrompt' ? `${styles.option} ${styles.wideOption}` : styles.option}>
              <label htmlFor={inputId} className={styles.optionLabel}>
                {extraOptionLabels[field]}
              </label>
              {field === 'sampler' ? (
                <select {...common} className={styles.select} value={options.sampler} onChange={(event) => onOptionsChange({ sampler: event.target.value })}>
                  <option value="">Default ({samplers[0]})</option>
                  {samplers.map((sampler) => (
                    <option key={sampler} value={sampler}>
                      {sampler}
                    </option>
                  ))}
                </select>
              ) : field === 'negativePrompt' ? (
                <textarea
                  {...common}
                  className={`${styles.select} ${styles.negativePrompt}`}
                  rows={2}
                  maxLength={2000}
                  value={options.negativePrompt}
                  placeholder="What the image should not show"
                  onChange={(event) => onOptionsChange({ negativePrompt: event.target.value })}
                />
              ) : (
                <input
                  {...common}
                  {...rangeOf(field, capabilities)}
                  type="number"
                  inputMode="decimal"
                  className={`${styles.select} ${styles.numberOption}`}
                  value={options[field]}
                  placeholder={placeholderOf(field, capabilities)}
                  onChange={(event) => onOptionsChange({ [field]: event.target.value })}
                />
              )}
              <FieldError id={errorId} field={field} message={error} />
            </div>
          );
        })}
      </div>
    </details>
  );
}
