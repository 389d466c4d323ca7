import { describe, expect, it } from 'vitest';
import { classifyComfyUIFetchError, classifyExecutionError, classifyPromptRejection } from './classify-comfyui-error';

describe('ComfyUI error classification', () => {
  it('a 400 from /prompt is invalid_request with each node error in the details', () => {
    const error = classifyPromptRejection(400, {
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
      node_errors: { '4': { class_type: 'CheckpointLoaderSimple', errors: [{ type: 'value_not_in_list', message: 'Value not in list', details: "ckpt_name: 'x' not in []" }] } },
    });
    expect(error).toMatchObject({ kind: 'invalid_request', status: 400, isRetryable: false });
    expect(error.details).toBe("Prompt outputs failed validation; node 4 (CheckpointLoaderSimple): Value not in list: ckpt_name: 'x' not in []");
  });

  it('a 400 without node errors (no output node) keeps the error message', () => {
    expect(classifyPromptRejection(400, { error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs' }, node_errors: [] }).details).toBe('Prompt has no outputs');
  });

  it('any other status (a 500, a proxy page) is transient', () => {
    expect(classifyPromptRejection(502, '<html>Bad Gateway</html>')).toMatchObject({ kind: 'transient', status: 502, details: 'Bad Gateway' });
  });

  it('execution errors: out of memory is transient, the rest invalid_request', () => {
    expect(classifyExecutionError({ exception_type: 'torch.OutOfMemoryError', exception_message: 'CUDA out of memory' }).kind).toBe('transient');
    expect(classifyExecutionError({ node_id: '3', node_type: 'KSampler', exception_type: 'RuntimeError', exception_message: 'bad shapes' })).toMatchObject({
      kind: 'invalid_request',
      details: 'node 3 (KSampler): RuntimeError: bad shapes',
    });
  });

  it('fetch failures: the caller abort stays an abort, our deadline is a timeout, the rest transient', () => {
    const controller = new AbortController();
    controller.abort();
    expect(classifyComfyUIFetchError(new TypeError('fetch failed'), controller.signal).name).toBe('AbortError');
    expect(classifyComfyUIFetchError(new DOMException('timed out', 'TimeoutError'), undefined)).toMatchObject({ kind: 'timeout' });
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(classifyComfyUIFetchError(refused, undefined)).toMatchObject({ kind: 'transient', details: 'ECONNREFUSED: fetch failed' });
  });
});
