import fc from 'fast-check';
import { longString, nastyString } from './fuzz-arbitraries';
import { formBody, formBodyArbitrary, type FormBodySpec, type FormPartSpec } from './fuzz-forms';
import { declaredMimeTypeArbitrary, imageBytes, imageSpecArbitrary, type ImageFixtures, type ImageSpec } from './fuzz-images';

/*
 * Request bodies for the fuzz suites: JSON of random shapes (valid-looking with one field wrong,
 * random, or broken text), multipart forms (fuzz-forms.ts), random bytes, and bodies just past
 * the routes' size limits.
 */

/** Values for the fields the routes read: valid ones, wrong types, edge numbers, nasty strings. */
const fieldValueArbitraries = {
  prompt: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('a lighthouse at dusk', 'a red fox', ' padded ') },
    { weight: 2, arbitrary: nastyString },
    { weight: 1, arbitrary: longString },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  ),
  prompts: fc.oneof(
    fc.array(fc.oneof(fc.constantFrom('a cat', 'a dog'), nastyString), { maxLength: 5 }),
    fc.integer({ min: 0, max: 300 }).map((count) => Array.from({ length: count }, (_, index) => `prompt ${index}`)),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  numberOfImages: fc.oneof(
    fc.integer({ min: -3, max: 120 }),
    fc.constantFrom(0, -0, 1.5, 1e308, -1e308, 2 ** 53, 4.0000001, '2', ' 3 ', '4 ', '1e2', '0x2', '٣', '', 'two', '00001', '99999999999999999999'),
    fc.jsonValue({ maxDepth: 1 }),
  ),
  provider: fc.oneof(fc.constantFrom('demo', 'gemini', 'openai', 'DEMO', ' demo ', 'comfyui'), nastyString, fc.jsonValue({ maxDepth: 1 })),
  model: fc.oneof(fc.constantFrom('demo-shapes-v1', 'gpt-image-2', 'gemini-nano-banana-2.1'), nastyString, longString),
  aspectRatio: fc.oneof(fc.constantFrom('1:1', '16:9', '8:1', '1:8', '21:9', '2:1', '1:0', '0:0', '16/9'), nastyString),
  size: fc.oneof(fc.constantFrom('1K', '2K', '4K', '1536x864', '99999x99999', '0x0', '1x1', '1024X1024', '8K', ' 1K '), nastyString),
  quality: fc.oneof(fc.constantFrom('low', 'medium', 'high', 'auto', 'ultra'), nastyString),
  outputFormat: fc.oneof(fc.constantFrom('png', 'jpeg', 'webp', 'gif', 'PNG'), nastyString),
  background: fc.oneof(fc.constantFrom('auto', 'opaque', 'transparent', 'none'), nastyString),
  maxCostUsd: fc.oneof(
    fc.double({ noNaN: true }),
    fc.constantFrom(0, -1, 0.0001, 1, 100_000, 100_001, '0.5', '1e3', '.5', '5.', 'Infinity', '', 'free'),
    fc.jsonValue({ maxDepth: 1 }),
  ),
};

export type JsonImageSpec = { data: 'image'; image: ImageSpec; mimeType?: string; dataUrl: boolean } | { data: 'raw'; value: unknown };

const jsonImageArbitrary: fc.Arbitrary<JsonImageSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      data: fc.constant('image' as const),
      image: imageSpecArbitrary.filter((spec) => spec.fixture !== 'oversized'),
      mimeType: fc.option(declaredMimeTypeArbitrary, { nil: undefined }),
      dataUrl: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({ data: fc.oneof(nastyString, fc.constantFrom('====', 'iVBOR', 'data:image/png;base64,', '!!!!', 'QUJD\nREVG')) }),
      )
      .map((value) => ({ data: 'raw' as const, value })),
  },
);

export type JsonBodySpec =
  | { kind: 'fields'; entries: [string, unknown][]; images: JsonImagesSpec }
  | { kind: 'any'; text: string }
  | { kind: 'broken'; text: string; change: 'truncate' | 'bom' | 'trailing' | 'nested' | 'invalid-utf8'; at: number };

/** `image`, `images`, neither, or (rarely) both. */
export type JsonImagesSpec =
  | { kind: 'none' }
  | { kind: 'one'; image: JsonImageSpec }
  | { kind: 'many'; images: JsonImageSpec[] }
  | { kind: 'both'; image: JsonImageSpec; images: JsonImageSpec[] }
  | { kind: 'raw'; images: unknown };

const jsonImagesArbitrary: fc.Arbitrary<JsonImagesSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 6, arbitrary: jsonImageArbitrary.map((image) => ({ kind: 'one' as const, image })) },
  { weight: 2, arbitrary: fc.array(jsonImageArbitrary, { maxLength: 4 }).map((images) => ({ kind: 'many' as const, images })) },
  // Seventeen: one more than any request may carry.
  { weight: 1, arbitrary: fc.array(jsonImageArbitrary, { minLength: 17, maxLength: 18 }).map((images) => ({ kind: 'many' as const, images })) },
  { weight: 1, arbitrary: fc.tuple(jsonImageArbitrary, fc.array(jsonImageArbitrary, { maxLength: 2 })).map(([image, images]) => ({ kind: 'both' as const, image, images })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((images) => ({ kind: 'raw' as const, images })) },
);

const fieldEntryArbitrary: fc.Arbitrary<[string, unknown]> = fc.oneof(
  ...Object.entries(fieldValueArbitraries).map(([name, value]) => fc.tuple(fc.constant(name), value as fc.Arbitrary<unknown>)),
  fc.tuple(fc.constantFrom('__proto__', 'constructor', 'image', 'images', 'prompt', 'extra'), fc.jsonValue({ maxDepth: 2 })),
);

const validLookingFields = fc
  .record(
    {
      prompt: fc.constantFrom('a lighthouse at dusk', 'a red fox in snow'),
      numberOfImages: fc.integer({ min: 1, max: 3 }),
      aspectRatio: fc.constantFrom('1:1', '16:9', '3:4'),
      outputFormat: fc.constantFrom('png', 'jpeg', 'webp'),
    },
    { requiredKeys: ['prompt'] },
  )
  .map((record) => Object.entries(record) as [string, unknown][]);

export const jsonBodyArbitrary: fc.Arbitrary<JsonBodySpec> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('fields' as const),
      entries: fc.oneof(
        { weight: 3, arbitrary: validLookingFields },
        { weight: 2, arbitrary: fc.array(fieldEntryArbitrary, { maxLength: 6 }) },
        { weight: 3, arbitrary: fc.tuple(validLookingFields, fc.array(fieldEntryArbitrary, { minLength: 1, maxLength: 2 })).map(([valid, extra]) => [...valid, ...extra]) },
      ),
      images: jsonImagesArbitrary,
    }),
  },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }).map((text) => ({ kind: 'any' as const, text })) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('broken' as const),
      text: fc.constantFrom('{"prompt":"a cat","numberOfImages":2}', '{"prompt":"x","image":{"data":"iVBORw0KGgo=","mimeType":"image/png"}}', '[]', '"x"', 'null', '{}'),
      change: fc.constantFrom('truncate', 'bom', 'trailing', 'nested', 'invalid-utf8'),
      at: fc.nat(),
    }),
  },
);

/** The JSON body's bytes. */
export function jsonBodyBytes(spec: JsonBodySpec, fixtures: ImageFixtures): Uint8Array {
  const encode = (text: string) => new TextEncoder().encode(text);
  if (spec.kind === 'any') return encode(spec.text);
  if (spec.kind === 'broken') {
    switch (spec.change) {
      case 'truncate':
        return encode(spec.text.slice(0, spec.at % Math.max(1, spec.text.length)));
      case 'bom':
        return encode(`\uFEFF${spec.text}`);
      case 'trailing':
        return encode(`${spec.text},`);
      case 'nested': {
        const depth = 1 + (spec.at % 200_000);
        return encode(`{"prompt":"deep","numberOfImages":${'['.repeat(depth)}${']'.repeat(depth)}}`);
      }
      default:
        return new Uint8Array([...encode('{"prompt":"'), 0xff, 0xfe, 0xc3, 0x28, ...encode('"}')]);
    }
  }
  // Written by hand so keys like __proto__ and duplicates reach the parser as sent.
  const members = spec.entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`);
  const { images } = spec;
  if (images.kind === 'one' || images.kind === 'both') members.push(`"image":${JSON.stringify(jsonImageValue(images.image, fixtures))}`);
  if (images.kind === 'many' || images.kind === 'both') members.push(`"images":${JSON.stringify(images.images.map((image) => jsonImageValue(image, fixtures)))}`);
  if (images.kind === 'raw') members.push(`"images":${JSON.stringify(images.images)}`);
  return encode(`{${members.join(',')}}`);
}

function jsonImageValue(spec: JsonImageSpec, fixtures: ImageFixtures): unknown {
  if (spec.data === 'raw') return spec.value;
  const base64 = Buffer.from(imageBytes(spec.image, fixtures)).toString('base64');
  return { data: spec.dataUrl ? `data:${spec.mimeType ?? 'image/png'};base64,${base64}` : base64, ...(spec.mimeType === undefined ? {} : { mimeType: spec.mimeType }) };
}


export type BodySpec =
  | { kind: 'json'; json: JsonBodySpec }
  | { kind: 'form'; form: FormBodySpec }
  | { kind: 'bytes'; bytes: Uint8Array }
  /** A body of this many bytes (around the routes' limits) without generating each one. */
  | { kind: 'filler'; byteLength: number };

/** How often each kind of body comes: a route that reads forms gets more forms. */
export interface BodyWeights {
  json: number;
  form: number;
}

export function bodyArbitrary({ json, form }: BodyWeights = { json: 10, form: 8 }): fc.Arbitrary<BodySpec> {
  return fc.oneof(
    { weight: json, arbitrary: jsonBodyArbitrary.map((spec) => ({ kind: 'json' as const, json: spec })) },
    { weight: form, arbitrary: formBodyArbitrary.map((spec) => ({ kind: 'form' as const, form: spec })) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(1024 * 1024 + 1, 2 * 1024 * 1024, 10 * 1024 * 1024 + 1, 57 * 1024 * 1024)
        .map((byteLength) => ({ kind: 'filler' as const, byteLength })),
    },
  );
}

/** The body's bytes and the Content-Type that naturally goes with them. */
export async function bodyBytes(body: BodySpec, fixtures: ImageFixtures): Promise<{ bytes: Uint8Array; contentType?: string }> {
  switch (body.kind) {
    case 'json':
      return { bytes: jsonBodyBytes(body.json, fixtures), contentType: 'application/json' };
    case 'form':
      return formBody(body.form, fixtures);
    case 'bytes':
      return { bytes: body.bytes };
    default: {
      const bytes = new Uint8Array(body.byteLength).fill(0x41);
      bytes.set(new TextEncoder().encode('{"prompt":"'));
      return { bytes, contentType: 'application/json' };
    }
  }
}

/**
 * A well-formed one-image request whose only hostile part is its images (one to three, any
 * fixture, maybe truncated, bit-flipped or padded, with any declared type): as a multipart form or
 * as JSON with base64 (maybe a data: URL).
 */
export const uploadBodyArbitrary: fc.Arbitrary<BodySpec> = fc.oneof(
  fc
    .oneof(
      { weight: 4, arbitrary: fc.tuple(imageSpecArbitrary, declaredMimeTypeArbitrary).map((image) => [image]) },
      { weight: 1, arbitrary: fc.array(fc.tuple(imageSpecArbitrary, declaredMimeTypeArbitrary), { minLength: 2, maxLength: 3 }) },
    )
    .map((images): BodySpec => ({
      kind: 'form',
      form: {
        parts: [
          { kind: 'text', name: 'prompt', value: 'make it warmer' },
          { kind: 'text', name: 'numberOfImages', value: '1' },
          ...images.map(([image, type]): FormPartSpec => ({ kind: 'file', name: 'image', fileName: 'upload', type, image })),
        ],
        mutation: { kind: 'none' },
      },
    })),
  fc
    .array(
      fc.record({
        data: fc.constant('image' as const),
        image: imageSpecArbitrary.filter((spec) => spec.fixture !== 'oversized'),
        mimeType: fc.option(declaredMimeTypeArbitrary, { nil: undefined }),
        dataUrl: fc.boolean(),
      }),
      { minLength: 1, maxLength: 2 },
    )
    .map((images): BodySpec => ({
      kind: 'json',
      json: {
        kind: 'fields',
        entries: [
          ['prompt', 'make it warmer'],
          ['numberOfImages', 1],
        ],
        images: images.length === 1 ? { kind: 'one', image: images[0]! } : { kind: 'many', images },
      },
    })),
);
