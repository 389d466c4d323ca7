export { createComfyUIProvider, type ComfyUIProviderOptions } from './comfyui-provider';
export { classifyComfyUIFetchError, classifyExecutionError, classifyPromptRejection } from './classify-comfyui-error';
export { comfyuiDescriptor } from './descriptor';
export { comfyUISizeFor } from './comfyui-size';
export {
  builtInImageToImageTemplate,
  builtInTextToImageTemplate,
  fillWorkflow,
  loadWorkflowTemplate,
  workflowTemplate,
  type ApiWorkflow,
  type WorkflowMapping,
  type WorkflowTemplate,
} from './workflow-template';
