import { readFileSync } from 'node:fs';
import { z } from 'zod';
import defaultImageToImageMapping from './workflows/image-to-image.mapping.json' with { type: 'json' };
import defaultImageToImageWorkflow from './workflows/image-to-image.json' with { type: 'json' };
import defaultTextToImageMapping from './workflows/text-to-image.mapping.json' with { type: 'json' };
import defaultTextToImageWorkflow from './workflows/text-to-image.json' with { type: 'json' };

/**
 * A ComfyUI workflow in API format ("Save (API)" in ComfyUI): node id → `{class_type, inputs}`,
 * where an input is a literal or a link `[nodeId, outputIndex]`. We never interpret the graph; we
 * only write values into the inputs a mapping names, so any graph the server can run works.
 */
export const apiWorkflowSchema = z.record(
  z.string(),
  z.looseObject({
    class_type: z.string().min(1),
    inputs: z.record(z.string(), z.unknown()),
  }),
);
export type ApiWorkflow = z.output<typeof apiWorkflowSchema>;

/** Where one value goes: a node id of the workflow and the name of one of its inputs. */
const inputTargetSchema = z.strictObject({ node: z.string().min(1), input: z.string().min(1) });
export type InputTarget = z.output<typeof inputTargetSchema>;

/**
 * Which node input receives which neutral value. `prompt` is required; the rest are filled when
 * both the mapping names a target and the request has a value, else the template's own value
 * stays. `negativePrompt`, `steps` and `cfgScale` are ready for the neutral fields that come later.
 */
export const workflowMappingSchema = z.strictObject({
  prompt: inputTargetSchema,
  negativePrompt: inputTargetSchema.optional(),
  seed: inputTargetSchema.optional(),
  steps: inputTargetSchema.optional(),
  cfgScale: inputTargetSchema.optional(),
  width: inputTargetSchema.optional(),
  height: inputTargetSchema.optional(),
  /** A LoadImage node's `image` input: receives the uploaded file's name. Required for image-to-image. */
  inputImage: inputTargetSchema.optional(),
});
export type WorkflowMapping = z.output<typeof workflowMappingSchema>;
export type MappingKey = keyof WorkflowMapping;

/** A workflow and its mapping, checked against each other. */
export interface WorkflowTemplate {
  workflow: ApiWorkflow;
  mapping: WorkflowMapping;
  /** Where it came from, for messages: a file path or `built-in text-to-image`. */
  source: string;
}

/** Values to write; undefined ones leave the template's value. */
export type WorkflowValues = Partial<Record<MappingKey, string | number>>;

/**
 * Checks a workflow and mapping: every target must name an existing node and one of its inputs
 * (an input the template does not have would be silently ignored by ComfyUI or fail validation late).
 */
export function workflowTemplate(workflow: unknown, mapping: unknown, source: string): WorkflowTemplate {
  const parsedWorkflow = apiWorkflowSchema.safeParse(workflow);
  if (!parsedWorkflow.success) throw new Error(`${source}: not a ComfyUI API-format workflow (node id → {class_type, inputs}); export it with "Save (API)"`);
  const parsedMapping = workflowMappingSchema.safeParse(mapping);
  if (!parsedMapping.success) {
    const problems = parsedMapping.error.issues.map((issue) => `${issue.path.join('.') || 'mapping'}: ${issue.message}`);
    throw new Error(`${source} mapping: ${problems.join('; ')}`);
  }
  for (const [key, target] of Object.entries(parsedMapping.data)) {
    if (!target) continue;
    const node = parsedWorkflow.data[target.node];
    if (!node) throw new Error(`${source} mapping: ${key} names node "${target.node}", which the workflow does not have`);
    if (!(target.input in node.inputs)) throw new Error(`${source} mapping: ${key} names input "${target.input}", which node "${target.node}" (${node.class_type}) does not have`);
  }
  return { workflow: parsedWorkflow.data, mapping: parsedMapping.data, source };
}

/** A copy of the workflow with the mapped values written in; the template itself is never changed. */
export function fillWorkflow(template: WorkflowTemplate, values: WorkflowValues): ApiWorkflow {
  const filled = structuredClone(template.workflow);
  for (const [key, value] of Object.entries(values) as [MappingKey, string | number | undefined][]) {
    const target = template.mapping[key];
    if (value === undefined || !target) continue;
    filled[target.node]!.inputs[target.input] = value;
  }
  return filled;
}

/** The mapping file next to a workflow file: `flux.json` → `flux.mapping.json`. */
export function mappingPathFor(workflowPath: string): string {
  return workflowPath.replace(/(\.json)?$/i, '.mapping.json');
}

/** Reads a workflow file and its mapping (`mappingPath`, else the file next to it). */
export function loadWorkflowTemplate(workflowPath: string, mappingPath = mappingPathFor(workflowPath)): WorkflowTemplate {
  const readJson = (path: string) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (error) {
      throw new Error(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return workflowTemplate(readJson(workflowPath), readJson(mappingPath), workflowPath);
}

/** The shipped SD1.5 text-to-image graph (CheckpointLoaderSimple, CLIPTextEncode ×2, EmptyLatentImage, KSampler, VAEDecode, SaveImage). */
export function builtInTextToImageTemplate(): WorkflowTemplate {
  return workflowTemplate(defaultTextToImageWorkflow, defaultTextToImageMapping, 'built-in text-to-image');
}

/** The shipped SD1.5 image-to-image graph (LoadImage → ImageScale → VAEEncode, denoise 0.6). */
export function builtInImageToImageTemplate(): WorkflowTemplate {
  return workflowTemplate(defaultImageToImageWorkflow, defaultImageToImageMapping, 'built-in image-to-image');
}
