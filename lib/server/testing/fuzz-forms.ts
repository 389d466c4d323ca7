import fc from 'fast-check';
import { nastyString } from './fuzz-arbitraries';
import { declaredMimeTypeArbitrary, imageBytes, imageSpecArbitrary, type ImageFixtures, type ImageSpec } from './fuzz-images';

/*
 * Multipart bodies for the fuzz suites: forms with random fields and files (any image fixture,
 * maybe mutated, declared as any type), then maybe truncated, sent with the wrong boundary or none,
 * or followed by garbage.
 */

export type FormPartSpec =
  | { kind: 'text'; name: string; value: string }
  | { kind: 'file'; name: string; fileName: string; type: string; image: ImageSpec };

export type FormMutation =
  | { kind: 'none' }
  | { kind: 'truncate'; keepFraction: number }
  | { kind: 'wrong-boundary' }
  | { kind: 'no-boundary' }
  | { kind: 'garbage-tail'; garbage: Uint8Array };

export interface FormBodySpec {
  parts: FormPartSpec[];
  mutation: FormMutation;
}

const formFieldName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('prompt', 'prompts', 'numberOfImages', 'aspectRatio', 'size', 'quality', 'outputFormat', 'background', 'provider', 'model', 'maxCostUsd') },
  { weight: 1, arbitrary: nastyString.filter((name) => !/[\r\n"]/.test(name)) },
);

const formTextValue = fc.oneof(
  fc.constantFrom('a lighthouse at dusk', '1', '2', '4', '100', '0', '-1', '1:1', '16:9', 'png', 'jpeg', 'demo', 'demo-shapes-v1', '0.5'),
  nastyString,
);

const formPartArbitrary: fc.Arbitrary<FormPartSpec> = fc.oneof(
  { weight: 15, arbitrary: fc.record({ kind: fc.constant('text' as const), name: formFieldName, value: formTextValue }) },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('file' as const),
      name: fc.constantFrom('image', 'image', 'image[]', 'prompt', 'numberOfImages', 'file'),
      fileName: fc.oneof(fc.constantFrom('input.png', 'photo.jpg', '', '../../x.png', 'a"b.png'), nastyString.filter((name) => !/[\r\n]/.test(name))),
      type: declaredMimeTypeArbitrary,
      image: imageSpecArbitrary,
    }),
  },
  // Seventeen images: one more than any request may carry.
  {
    weight: 1,
    arbitrary: fc.constant({ kind: 'file' as const, name: 'image', fileName: 'many.png', type: 'image/png', image: { fixture: 'png' as const, mutation: { kind: 'none' as const } } }),
  },
);

const formMutationArbitrary: fc.Arbitrary<FormMutation> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 999 }).map((perMille) => perMille / 1000).map((keepFraction) => ({ kind: 'truncate' as const, keepFraction })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'wrong-boundary' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'no-boundary' as const }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((garbage) => ({ kind: 'garbage-tail' as const, garbage })) },
);

/** A form that would pass but for its image (any fixture, maybe mutated) and, sometimes, a field or two. */
const validLookingForm = fc
  .tuple(fc.constantFrom('1', '2'), imageSpecArbitrary, declaredMimeTypeArbitrary)
  .map(([count, image, type]): FormPartSpec[] => [
    { kind: 'text', name: 'prompt', value: 'make it warmer' },
    { kind: 'text', name: 'numberOfImages', value: count },
    { kind: 'file', name: 'image', fileName: 'input', type, image },
  ]);

export const formBodyArbitrary: fc.Arbitrary<FormBodySpec> = fc.record({
  parts: fc.oneof(
    { weight: 20, arbitrary: validLookingForm },
    { weight: 15, arbitrary: fc.array(formPartArbitrary, { maxLength: 6 }) },
    { weight: 10, arbitrary: fc.tuple(validLookingForm, fc.array(formPartArbitrary, { maxLength: 3 })).map(([valid, extra]) => [...valid, ...extra]) },
    { weight: 3, arbitrary: fc.constant(Array.from({ length: 17 }, (): FormPartSpec => ({ kind: 'file', name: 'image', fileName: 'many.png', type: 'image/png', image: { fixture: 'png', mutation: { kind: 'none' } } }))) },
  ),
  mutation: formMutationArbitrary,
});

/** The form's bytes and the Content-Type that goes with them (after the mutation). */
export async function formBody(spec: FormBodySpec, fixtures: ImageFixtures): Promise<{ bytes: Uint8Array; contentType: string }> {
  const form = new FormData();
  for (const part of spec.parts) {
    if (part.kind === 'text') form.append(part.name, part.value);
    else form.append(part.name, new File([imageBytes(part.image, fixtures) as Uint8Array<ArrayBuffer>], part.fileName, { type: part.type }));
  }
  const encoded = new Response(form);
  const contentType = encoded.headers.get('content-type') ?? '';
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  const { mutation } = spec;
  switch (mutation.kind) {
    case 'truncate':
      return { bytes: bytes.slice(0, Math.floor(bytes.byteLength * mutation.keepFraction)), contentType };
    case 'wrong-boundary':
      return { bytes, contentType: 'multipart/form-data; boundary=----not-the-one' };
    case 'no-boundary':
      return { bytes, contentType: 'multipart/form-data' };
    case 'garbage-tail':
      return { bytes: new Uint8Array(Buffer.concat([bytes, mutation.garbage])), contentType };
    default:
      return { bytes, contentType };
  }
}

//
