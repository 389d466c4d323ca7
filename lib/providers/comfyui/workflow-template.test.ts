import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInImageToImageTemplate, builtInTextToImageTemplate, fillWorkflow, loadWorkflowTemplate, mappingPathFor, workflowTemplate } from './workflow-template';

const workflow = {
  '1': { class_type: 'CLIPTextEncode', inputs: { text: 'template text', clip: ['2', 1] } },
  '2': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'model.safetensors' } },
};

describe('workflow templates', () => {
  it('the shipped workflows map every key the neutral options will need', () => {
    expect(Object.keys(builtInTextToImageTemplate().mapping).sort()).toEqual(['cfgScale', 'height', 'negativePrompt', 'prompt', 'seed', 'steps', 'width']);
    expect(builtInImageToImageTemplate().mapping.inputImage).toEqual({ node: '10', input: 'image' });
  });

  it('fills mapped inputs in a copy; unset values keep the template value', () => {
    const template = workflowTemplate(workflow, { prompt: { node: '1', input: 'text' } }, 'test');
    const filled = fillWorkflow(template, { prompt: 'a fox', seed: 5 });
    expect(filled['1']!.inputs.text).toBe('a fox');
    expect(template.workflow['1']!.inputs.text).toBe('template text');
    expect(fillWorkflow(template, {})['1']!.inputs.text).toBe('template text');
  });

  it('refuses a mapping that names a missing node or input, or lacks prompt, or has unknown keys', () => {
    expect(() => workflowTemplate(workflow, { prompt: { node: '9', input: 'text' } }, 'test')).toThrow(/node "9", which the workflow does not have/);
    expect(() => workflowTemplate(workflow, { prompt: { node: '1', input: 'txt' } }, 'test')).toThrow(/input "txt", which node "1" \(CLIPTextEncode\) does not have/);
    expect(() => workflowTemplate(workflow, {}, 'test')).toThrow(/prompt/);
    expect(() => workflowTemplate(workflow, { prompt: { node: '1', input: 'text' }, denoise: { node: '1', input: 'text' } }, 'test')).toThrow(/mapping/);
  });

  it('refuses a workflow that is not in API format (the UI format has a nodes array)', () => {
    expect(() => workflowTemplate({ nodes: [], links: [] }, { prompt: { node: '1', input: 'text' } }, 'ui.json')).toThrow(/Save \(API\)/);
  });

  it('reads a workflow file and the mapping next to it', () => {
    const folder = mkdtempSync(join(tmpdir(), 'comfyui-workflow-'));
    const path = join(folder, 'flux.json');
    writeFileSync(path, JSON.stringify(workflow));
    writeFileSync(mappingPathFor(path), JSON.stringify({ prompt: { node: '1', input: 'text' } }));
    expect(mappingPathFor(path)).toBe(join(folder, 'flux.mapping.json'));
    expect(loadWorkflowTemplate(path).mapping.prompt).toEqual({ node: '1', input: 'text' });
    expect(() => loadWorkflowTemplate(join(folder, 'missing.json'))).toThrow(/cannot read .*missing\.json/);
  });
});
