'use client';

import { useCallback, useState } from 'react';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import {
  defaultOptionValues,
  findModel,
  findOptionValuesProblem,
  maxInputImagesOf,
  reconcileOptionValues,
  type ChosenModel,
  type ModelChoice,
  type OptionValues,
} from '@/components/lib/model-options';
import type { ComposerFill } from '@/components/lib/composer-fill';
import { overLimitMessage, type PromptPlan } from '@/components/lib/prompt-plan';
import { maxPromptCharacters, type ComposerValues } from './composer';
import type { FieldErrors, FieldName } from './field-error';
import { checkInputImage } from './image-drop-zone';
import { notifyError } from './notify';

/** What stops a request before it is sent, next to its field; null when it can go. */
export function validate(values: ComposerValues, chosen: ChosenModel, plan: PromptPlan): FieldErrors | null {
  const prompt = values.prompt.trim();
  if (plan.prompts.length === 0) return { prompt: 'Prompt is required: describe the image you want.' };
  if (prompt.length > maxPromptCharacters) {
    return { prompt: `Prompt is too long (${prompt.length} characters); the limit is ${maxPromptCharacters}.` };
  }
  const overLimit = overLimitMessage(plan);
  if (overLimit) return { numberOfImages: overLimit };
  const imageProblem = values.images.map(checkInputImage).find(Boolean);
  if (imageProblem) return { image: imageProblem };
  const optionProblem = findOptionValuesProblem(values.options, chosen.model, values.images.length);
  return optionProblem ? { [optionProblem.field]: optionProblem.message } : null;
}

/** A 400 naming the provider lands next to the picker; one about the cost cap (not asked here) on the form. */
export function fieldOfRejection(field: string | undefined): FieldName | undefined {
  if (field === 'provider' || field === 'model') return 'model';
  if (field === 'maxCostUsd') return 'form';
  return field as FieldName | undefined;
}

/**
 * The composer's values and messages: prompt, count, the chosen model's options and the input
 * images, kept to what the chosen model takes when it changes.
 */
export function useComposerState(catalog: ProvidersCatalog, chosen: ChosenModel, onChoose: (choice: ModelChoice) => void) {
  const [values, setValues] = useState<ComposerValues>(() => ({
    prompt: '',
    numberOfImages: 4,
    options: defaultOptionValues(chosen.model.capabilities),
    images: [],
  }));
  const [errors, setErrors] = useState<FieldErrors>({});

  const maxInputImages = maxInputImagesOf(chosen.model.capabilities);
  const modelLabel = chosen.model.label;
  /** New input images (picked, dropped, pasted, or "Use as input"): checked, and up to the model's maximum. */
  const addImages = useCallback(
    (files: File[]) => {
      if (maxInputImages === 0) {
        notifyError(`${modelLabel} takes no input images`, 'Choose a model that edits images to start from one.');
        return;
      }
      const problem = files.map(checkInputImage).find(Boolean);
      if (problem) {
        setErrors((current) => ({ ...current, image: problem }));
        return;
      }
      // A model that takes one image: the new one replaces it.
      const kept = maxInputImages === 1 ? [] : values.images;
      const room = Math.max(0, maxInputImages - kept.length);
      const overflow = Math.max(0, files.length - room);
      setValues((current) => ({ ...current, images: [...kept, ...files.slice(0, room)] }));
      setErrors(({ image: _image, ...rest }) =>
        overflow > 0 ? { ...rest, image: `${modelLabel} takes at most ${maxInputImages} input images; ${overflow} left out.` } : rest,
      );
    },
    [maxInputImages, modelLabel, values.images],
  );
  const removeImage = (index: number) => {
    setValues((current) => ({ ...current, images: current.images.filter((_file, position) => position !== index) }));
    setErrors(({ image: _image, ...rest }) => rest);
  };

  const changeValues = (change: Partial<ComposerValues>) => {
    setValues((current) => ({ ...current, ...change }));
    setErrors((current) => {
      const next = { ...current };
      if ('prompt' in change) delete next.prompt;
      if ('numberOfImages' in change) delete next.numberOfImages;
      if ('images' in change) delete next.image;
      delete next.form;
      return next;
    });
  };

  const changeOptions = (change: Partial<OptionValues>) => {
    setValues((current) => ({ ...current, options: { ...current.options, ...change } }));
    setErrors((current) => {
      const next = { ...current };
      for (const field of Object.keys(change)) delete next[field === 'customSize' ? 'size' : (field as FieldName)];
      delete next.form;
      return next;
    });
  };

  /** Another model: what it takes is kept, the rest goes back to its defaults; extra images are let go. */
  const chooseModel = (next: ModelChoice) => {
    const found = findModel(catalog, next);
    if (!found) return;
    const capabilities = found.model.capabilities;
    setValues((current) => ({
      ...current,
      options: reconcileOptionValues(current.options, capabilities),
      images: current.images.slice(0, maxInputImagesOf(capabilities)),
    }));
    setErrors({});
    onChoose(next);
  };

  /**
   * Settings from elsewhere (a batch, a dropped image): prompt, options, count and, when given, the
   * input images; the fill's model is chosen (its options were fitted to it).
   */
  const applyFill = (fill: ComposerFill, images?: File[]) => {
    const target = fill.choice ? findModel(catalog, fill.choice) : undefined;
    const maxImages = maxInputImagesOf((target ?? chosen).model.capabilities);
    setValues((current) => ({
      ...current,
      prompt: fill.prompt,
      options: fill.options,
      ...(fill.numberOfImages === undefined ? {} : { numberOfImages: fill.numberOfImages }),
      images: (images ?? current.images).slice(0, maxImages),
    }));
    setErrors({});
    if (fill.choice) onChoose(fill.choice);
  };

  const checkCustomSize = () => {
    const problem = findOptionValuesProblem(values.options, chosen.model, values.images.length);
    if (problem?.field === 'size') setErrors((current) => ({ ...current, size: problem.message }));
  };

  return { values, errors, setErrors, addImages, removeImage, changeValues, changeOptions, chooseModel, applyFill, checkCustomSize };
}
