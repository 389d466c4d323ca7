/** The fields a message can sit next to ('form' when it is about no one field). */
export type FieldName =
  | 'prompt'
  | 'numberOfImages'
  | 'model'
  | 'aspectRatio'
  | 'size'
  | 'quality'
  | 'outputFormat'
  | 'background'
  | 'negativePrompt'
  | 'seed'
  | 'steps'
  | 'cfgScale'
  | 'sampler'
  | 'denoisingStrength'
  | 'image'
  | 'form';
export type FieldErrors = Partial<Record<FieldName, string>>;

/** A validation message, next to the field it is about. */
export function FieldError({ id, field, message }: { id: string; field: FieldName; message?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id} data-testid="field-error" data-field={field} role="alert">
      {message}
    </p>
  );
}
