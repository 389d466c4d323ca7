'use client';

import { useEffect, useId, useState, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import { maxInputImagesOf, type ChosenModel, type ModelChoice, type OptionValues } from '@/components/lib/model-options';
import { imageCountOptions } from '@/components/lib/prompt-plan';
import { FieldError, type FieldErrors, type FieldName } from './field-error';
import { ImageDropZone } from './image-drop-zone';
import { ModelFields } from './model-fields';
import { useTypedBeforeHydration } from '@/hooks/use-typed-before-hydration';
import { PromptHistoryButton } from './prompt-history-button';
import type { SettingsNotice } from './use-dropped-settings';
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
  /** "Estimated cost: about $0.13 (4 × $0.0336)", "3 prompts × 4 images = 12 images · Free (demo)"… */
  costEstimate: string;
  /** Prompts the text stands for (lines and variations): the count becomes images per prompt past one. */
  promptCount: number;
  /** Over the batch limit: the count line is shown as an error. */
  isOverLimit: boolean;
  /** A dropped image's settings were read into the composer. */
  settingsNotice: SettingsNotice | null;
  onSettingsImageAsInput: () => void;
  onSettingsNoticeDismiss: () => void;
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
  useTypedBeforeHydration(promptRef, (prompt) => onChange({ prompt }));
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
        <div className={styles.promptHeader}>
          <label htmlFor={`${id}-prompt`} className={styles.promptLabel}>
            Prompt
          </label>
          <span id={`${id}-prompt-syntax`} className={styles.promptSyntax}>
            One per line · {'{red|blue}'} makes variations
          </span>
          <PromptHistoryButton
            onPick={(prompt) => {
              onChange({ prompt });
              promptRef.current?.focus();
            }}
          />
        </div>
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
          aria-describedby={[describedBy('prompt'), `${id}-prompt-syntax`, `${id}-prompt-hint`].filter(Boolean).join(' ')}
        />
        <div className={styles.promptFooter}>
          <FieldError id={errorId('prompt')} field="prompt" message={errors.prompt} />
          <span id={`${id}-prompt-hint`} className={styles.hint}>
            {/* No keyboard shortcut to speak of on a phone: the hint goes, the counter stays. */}
            <span className={styles.shortcutHint} data-testid="shortcut-hint">
              <kbd>{shortcut}</kbd> + <kbd>Enter</kbd> to generate ·{' '}
            </span>
            <span className={values.prompt.length > maxPromptCharacters ? styles.overLimit : undefined} data-testid="prompt-counter">
              {values.prompt.length}/{maxPromptCharacters}
            </span>
          </span>
        </div>
        {props.settingsNotice ? (
          <SettingsNoticeLine
            fileName={props.settingsNotice.file.name}
            canUseAsInput={maxInputImagesOf(chosen.model.capabilities) > 0}
            onUseAsInput={props.onSettingsImageAsInput}
            onDismiss={props.onSettingsNoticeDismiss}
          />
        ) : null}
      </div>

      <div className={styles.options}>
        <div className={styles.option}>
          <label htmlFor={`${id}-count`} className={styles.optionLabel}>
            {props.promptCount > 1 ? 'Images per prompt' : 'Number of images'}
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
          <p
            className={`${styles.costEstimate} ${props.isOverLimit ? styles.overLimit : ''}`}
            data-testid="cost-estimate"
            data-over-limit={props.isOverLimit}
            aria-live="polite"
          >
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

interface SettingsNoticeLineProps {
  fileName: string;
  canUseAsInput: boolean;
  onUseAsInput: () => void;
  onDismiss: () => void;
}

/** "Read the prompt and settings from image.png", with the choice to start from the image too. */
function SettingsNoticeLine({ fileName, canUseAsInput, onUseAsInput, onDismiss }: SettingsNoticeLineProps) {
  return (
    <div className={styles.settingsNotice} role="status" data-testid="settings-notice">
      <span>
        Read the prompt and settings from <strong>{fileName}</strong>
      </span>
      {canUseAsInput ? (
        <button type="button" className="button button-secondary button-small" onClick={onUseAsInput} data-testid="settings-image-as-input">
          Also use it as input image
        </button>
      ) : null}
      <button type="button" className={styles.noticeClose} onClick={onDismiss} aria-label="Dismiss the notice" data-testid="settings-notice-dismiss">
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}
