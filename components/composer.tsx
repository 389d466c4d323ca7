'use client';

import { useEffect, useId, useState, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import { aspectRatios, type AspectRatio } from '@/lib/core/image';
import type { ProviderSummary } from '@/hooks/batch-state';
import { ImageDropZone } from './image-drop-zone';
import { ProviderBadge } from './provider-badge';
import styles from './composer.module.css';

export const maxPromptCharacters = 4000;
/** Up to this many images run in the tab over the classic streaming route; more go to the background queue. */
export const maxInTabImages = 4;
export const imageCountOptions = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 50, 100] as const;
const inTabCounts = imageCountOptions.filter((count) => count <= maxInTabImages);
const backgroundCounts = imageCountOptions.filter((count) => count > maxInTabImages);

export type FieldName = 'prompt' | 'numberOfImages' | 'aspectRatio' | 'image' | 'form';
export type FieldErrors = Partial<Record<FieldName, string>>;

export interface ComposerValues {
  prompt: string;
  numberOfImages: number;
  aspectRatio: AspectRatio;
  image: File | null;
}

interface ComposerProps {
  values: ComposerValues;
  onChange: (values: Partial<ComposerValues>) => void;
  onImageSelect: (file: File) => void;
  errors: FieldErrors;
  provider: ProviderSummary;
  isRunning: boolean;
  onSubmit: () => void;
  promptRef: RefObject<HTMLTextAreaElement | null>;
}

function FieldError({ id, field, message }: { id: string; field: FieldName; message?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id} data-testid="field-error" data-field={field} role="alert">
      {message}
    </p>
  );
}

/** The prompt (the hero), the options in one row, the drop zone and the primary button. */
export function Composer({ values, onChange, onImageSelect, errors, provider, isRunning, onSubmit, promptRef }: ComposerProps) {
  const id = useId();
  const errorId = (field: FieldName) => `${id}-${field}-error`;
  const [shortcut, setShortcut] = useState('Ctrl');
  useEffect(() => {
    if (/Mac|iPhone|iPad/.test(navigator.userAgent)) setShortcut('⌘');
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  const onPromptKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      onSubmit();
    }
  };
  const isImageToImage = values.image !== null;
  const describedBy = (field: FieldName) => (errors[field] ? errorId(field) : undefined);

  return (
    <form className={styles.composer} onSubmit={submit} noValidate aria-label="Generate images">
      <div className={styles.promptField}>
        <label htmlFor={`${id}-prompt`} className={styles.promptLabel}>
          Prompt
        </label>
        <textarea
          id={`${id}-prompt`}
          ref={promptRef}
          className={styles.prompt}
          data-testid="prompt-input"
          value={values.prompt}
          onChange={(event) => onChange({ prompt: event.target.value })}
          onKeyDown={onPromptKeyDown}
          placeholder={isImageToImage ? 'Describe how to change the image…' : 'Describe the image you want…'}
          rows={5}
          autoFocus
          aria-required="true"
          aria-invalid={errors.prompt ? true : undefined}
          aria-describedby={[describedBy('prompt'), `${id}-prompt-hint`].filter(Boolean).join(' ')}
        />
        <div className={styles.promptFooter}>
          <FieldError id={errorId('prompt')} field="prompt" message={errors.prompt} />
          <span id={`${id}-prompt-hint`} className={styles.hint}>
            <kbd>{shortcut}</kbd> + <kbd>Enter</kbd> to generate
            <span className={values.prompt.length > maxPromptCharacters ? styles.overLimit : undefined}>
              {' · '}
              {values.prompt.length}/{maxPromptCharacters}
            </span>
          </span>
        </div>
      </div>

      <div className={styles.options}>
        <div className={styles.option}>
          <label htmlFor={`${id}-count`} className={styles.optionLabel}>
            Number of Images
          </label>
          <select
            id={`${id}-count`}
            className={styles.select}
            data-testid="count-select"
            value={values.numberOfImages}
            onChange={(event) => onChange({ numberOfImages: Number(event.target.value) })}
            aria-invalid={errors.numberOfImages ? true : undefined}
            aria-describedby={describedBy('numberOfImages')}
          >
            <optgroup label="In this tab">
              {inTabCounts.map((count) => (
                <option key={count} value={count}>
                  {count}
                </option>
              ))}
            </optgroup>
            <optgroup label="In the background">
              {backgroundCounts.map((count) => (
                <option key={count} value={count}>
                  {count}
                </option>
              ))}
            </optgroup>
          </select>
          <FieldError id={errorId('numberOfImages')} field="numberOfImages" message={errors.numberOfImages} />
        </div>

        <div className={styles.option}>
          <label htmlFor={`${id}-aspect`} className={styles.optionLabel}>
            Aspect ratio
          </label>
          <select
            id={`${id}-aspect`}
            className={styles.select}
            data-testid="aspect-select"
            value={values.aspectRatio}
            onChange={(event) => {
              const aspectRatio = aspectRatios.find((ratio) => ratio === event.target.value);
              if (aspectRatio) onChange({ aspectRatio });
            }}
            aria-invalid={errors.aspectRatio ? true : undefined}
            aria-describedby={describedBy('aspectRatio')}
          >
            {aspectRatios.map((ratio) => (
              <option key={ratio} value={ratio}>
                {ratio}
              </option>
            ))}
          </select>
          <FieldError id={errorId('aspectRatio')} field="aspectRatio" message={errors.aspectRatio} />
        </div>

        <div className={`${styles.option} ${styles.providerOption}`}>
          <span className={styles.optionLabel} id={`${id}-provider`}>
            Provider / model
          </span>
          <div className={styles.providerValue} aria-labelledby={`${id}-provider`} role="group">
            <ProviderBadge provider={provider} testId="provider-badge" />
          </div>
        </div>

        <div className={`${styles.option} ${styles.imageOption}`}>
          <ImageDropZone
            file={values.image}
            onSelect={onImageSelect}
            onRemove={() => onChange({ image: null })}
            error={errors.image}
            errorId={errorId('image')}
          />
        </div>
      </div>

      <div className={styles.actions}>
        <FieldError id={errorId('form')} field="form" message={errors.form} />
        {values.numberOfImages > maxInTabImages && !errors.form ? (
          <p className={styles.backgroundHint} data-testid="background-hint">
            {values.numberOfImages} images run in the background: they are saved as they arrive, even if you close the tab.
          </p>
        ) : null}
        <button type="submit" className="button button-primary" data-testid="generate-button" disabled={isRunning} aria-busy={isRunning}>
          {isImageToImage ? 'Generate Images from Image' : 'Generate Images'}
        </button>
      </div>
    </form>
  );
}
