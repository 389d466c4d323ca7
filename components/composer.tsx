'use client';

import { useEffect, useId, useState, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import { maxInputImagesOf, type ChosenModel, type ModelChoice, type OptionValues } from '@/components/lib/model-options';
import { FieldError, type FieldErrors, type FieldName } from './field-error';
import { ImageDropZone } from './image-drop-zone';
import { ModelFields } from './model-fields';
import styles from './composer.module.css';

export type { FieldErrors, FieldName } from './field-error';

export const maxPromptCharacters = 4000;

export interface ComposerValues {
  prompt: string;
  numberOfImages: number;
  /** The chosen model's options; `''` leaves one to the model. */
  options: OptionValues;
  /** Input images (image-to-image), up to the chosen model's maximum. */
  images: File[];
}

interface ComposerProps {
  values: ComposerValues;
  onChange: (values: Partial<ComposerValues>) => void;
  catalog: ProvidersCatalog;
  chosen: ChosenModel;
  onChoose: (choice: ModelChoice) => void;
  onOptionsChange: (change: Partial<OptionValues>) => void;
  onCustomSizeBlur: () => void;
  onImagesAdd: (files: File[]) => void;
  onImageRemove: (index: number) => void;
  /** "Estimated cost: about $0.13 (4 × $0.0336)", "Free (demo)"… */
  costEstimate: string;
  errors: FieldErrors;
  isRunning: boolean;
  onSubmit: () => void;
  promptRef: RefObject<HTMLTextAreaElement | null>;
}

/** The prompt (the hero), the options in one row, the drop zone and the primary button. */
export function Composer(props: ComposerProps) {
  const { values, onChange, catalog, chosen, errors, isRunning, onSubmit, promptRef } = props;
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
  const maxInputImages = maxInputImagesOf(chosen.model.capabilities);
  const isImageToImage = values.images.length > 0;
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
            {imageCountOptions.map((count) => (
              <option key={count} value={count}>
                {count}
              </option>
            ))}
          </select>
          <FieldError id={errorId('numberOfImages')} field="numberOfImages" message={errors.numberOfImages} />
        </div>

        <ModelFields
          id={id}
          catalog={catalog}
          chosen={chosen}
          options={values.options}
          errors={errors}
          onChoose={props.onChoose}
          onOptionsChange={props.onOptionsChange}
          onCustomSizeBlur={props.onCustomSizeBlur}
        />

        {maxInputImages > 0 ? (
          <div className={`${styles.option} ${styles.imageOption}`}>
            <ImageDropZone
              files={values.images}
              maxFiles={maxInputImages}
              onAdd={props.onImagesAdd}
              onRemove={props.onImageRemove}
              error={errors.image}
              errorId={errorId('image')}
            />
          </div>
        ) : (
          <FieldError id={errorId('image')} field="image" message={errors.image} />
        )}
      </div>

      <div className={styles.actions}>
        <div className={styles.actionsInfo}>
          <FieldError id={errorId('form')} field="form" message={errors.form} />
          <p className={styles.costEstimate} data-testid="cost-estimate" aria-live="polite">
            {props.costEstimate}
          </p>
        </div>
        <button type="submit" className="button button-primary" data-testid="generate-button" disabled={isRunning} aria-busy={isRunning}>
          {isImageToImage ? `Generate Images from ${values.images.length === 1 ? 'Image' : 'Images'}` : 'Generate Images'}
        </button>
      </div>
    </form>
  );
}
