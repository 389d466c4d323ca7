'use client';

import type { ModelCapabilities } from '@/lib/core/image-options';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import {
  choiceKey,
  customSizeValue,
  isOffered,
  modelOptionLabel,
  optionChoicesOf,
  parseChoiceKey,
  type ChosenModel,
  type Choice,
  type ModelChoice,
  type OptionValues,
} from '@/components/lib/model-options';
import { FieldError, type FieldErrors, type FieldName } from './field-error';
import { MoreOptions } from './more-options';
import { ProviderBadge } from './provider-badge';
import styles from './composer.module.css';

interface ModelFieldsProps {
  /** `id` prefix from the composer's `useId()`. */
  id: string;
  catalog: ProvidersCatalog;
  chosen: ChosenModel;
  options: OptionValues;
  errors: FieldErrors;
  onChoose: (choice: ModelChoice) => void;
  onOptionsChange: (change: Partial<OptionValues>) => void;
  /** The custom size lost focus: check it now, not at every keystroke. */
  onCustomSizeBlur: () => void;
}

interface OptionSelectProps<Value extends string> {
  id: string;
  field: FieldName;
  label: string;
  testId: string;
  choices: Choice<Value>[];
  value: Value;
  error?: string;
  onChange: (value: Value) => void;
}

function OptionSelect<Value extends string>({ id, field, label, testId, choices, value, error, onChange }: OptionSelectProps<Value>) {
  const errorId = `${id}-${field}-error`;
  return (
    <div className={styles.option}>
      <label htmlFor={`${id}-${field}`} className={styles.optionLabel}>
        {label}
      </label>
      <select
        id={`${id}-${field}`}
        className={styles.select}
        data-testid={testId}
        value={value}
        onChange={(event) => {
          const chosen = choices.find((choice) => choice.value === event.target.value);
          if (chosen) onChange(chosen.value);
        }}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
      >
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
      <FieldError id={errorId} field={field} message={error} />
    </div>
  );
}

function customSizeHint(capabilities: ModelCapabilities): string {
  const rule = capabilities.customSize;
  if (!rule) return '';
  return `WIDTHxHEIGHT in pixels: multiples of ${rule.multipleOf}, longest edge up to ${rule.maxEdge}, at most ${rule.maxAspectRatio}:1.`;
}

/**
 * The provider/model picker and then only the options the chosen model takes, each read from its
 * capabilities; a select with no real choice is not shown.
 */
export function ModelFields({ id, catalog, chosen, options, errors, onChoose, onOptionsChange, onCustomSizeBlur }: ModelFieldsProps) {
  const { capabilities } = chosen.model;
  const choices = optionChoicesOf(capabilities);
  const isCustomSize = options.size === customSizeValue;
  const modelErrorId = `${id}-model-error`;
  const sizeErrorId = `${id}-size-error`;

  return (
    <>
      <div className={`${styles.option} ${styles.modelOption}`}>
        <label htmlFor={`${id}-model`} className={styles.optionLabel}>
          Provider / model
        </label>
        <div className={styles.modelControls}>
          <select
            id={`${id}-model`}
            className={`${styles.select} ${styles.modelSelect}`}
            data-testid="provider-select"
            value={choiceKey({ providerId: chosen.provider.id, modelId: chosen.model.id })}
            onChange={(event) => {
              const choice = parseChoiceKey(event.target.value);
              if (choice) onChoose(choice);
            }}
            aria-invalid={errors.model ? true : undefined}
            aria-describedby={errors.model ? modelErrorId : undefined}
          >
            {catalog.providers.map((provider) => (
              <optgroup key={provider.id} label={provider.label} data-provider={provider.id}>
                {provider.models.map((model) => (
                  <option key={model.id} value={choiceKey({ providerId: provider.id, modelId: model.id })}>
                    {modelOptionLabel({ provider, model })}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          <ProviderBadge provider={{ id: chosen.provider.id, model: chosen.model.id, isDemo: chosen.provider.isDemo }} testId="provider-badge" isModelShown={false} />
        </div>
        <FieldError id={modelErrorId} field="model" message={errors.model} />
      </div>

      {isOffered(choices.aspectRatios) && options.aspectRatio !== '' ? (
        <OptionSelect
          id={id}
          field="aspectRatio"
          label="Aspect ratio"
          testId="aspect-select"
          choices={choices.aspectRatios}
          value={options.aspectRatio}
          error={errors.aspectRatio}
          onChange={(aspectRatio) => onOptionsChange({ aspectRatio })}
        />
      ) : null}

      {isOffered(choices.sizes) ? (
        <div className={isCustomSize ? `${styles.option} ${styles.wideOption}` : styles.option}>
          <label htmlFor={`${id}-size`} className={styles.optionLabel}>
            Size
          </label>
          <div className={styles.sizeControls}>
            <select
              id={`${id}-size`}
              className={styles.select}
              data-testid="size-select"
              value={options.size}
              onChange={(event) => onOptionsChange({ size: event.target.value })}
              aria-invalid={errors.size && !isCustomSize ? true : undefined}
              aria-describedby={errors.size ? sizeErrorId : undefined}
            >
              {choices.sizes.map((choice) => (
                <option key={choice.value} value={choice.value}>
                  {choice.label}
                </option>
              ))}
            </select>
            {isCustomSize ? (
              <input
                type="text"
                className={`${styles.select} ${styles.customSize}`}
                data-testid="size-custom-input"
                value={options.customSize}
                onChange={(event) => onOptionsChange({ customSize: event.target.value })}
                onBlur={onCustomSizeBlur}
                placeholder="1536x864"
                inputMode="text"
                autoComplete="off"
                spellCheck={false}
                aria-label="Custom size, WIDTHxHEIGHT in pixels"
                title={customSizeHint(capabilities)}
                aria-invalid={errors.size ? true : undefined}
                aria-describedby={errors.size ? sizeErrorId : undefined}
              />
            ) : null}
          </div>
          <FieldError id={sizeErrorId} field="size" message={errors.size} />
        </div>
      ) : null}

      {isOffered(choices.qualities) ? (
        <OptionSelect
          id={id}
          field="quality"
          label="Quality"
          testId="quality-select"
          choices={choices.qualities}
          value={options.quality}
          error={errors.quality}
          onChange={(quality) => onOptionsChange({ quality })}
        />
      ) : null}

      {isOffered(choices.outputFormats) && options.outputFormat !== '' ? (
        <OptionSelect
          id={id}
          field="outputFormat"
          label="Format"
          testId="format-select"
          choices={choices.outputFormats}
          value={options.outputFormat}
          error={errors.outputFormat}
          onChange={(outputFormat) => onOptionsChange({ outputFormat })}
        />
      ) : null}

      {isOffered(choices.backgrounds) ? (
        <OptionSelect
          id={id}
          field="background"
          label="Background"
          testId="background-select"
          choices={choices.backgrounds}
          value={options.background}
          error={errors.background}
          onChange={(background) => onOptionsChange({ background })}
        />
      ) : null}

      <MoreOptions id={id} capabilities={capabilities} options={options} errors={errors} onOptionsChange={onOptionsChange} />
    </>
  );
}
