export { createDemoProvider, type DemoProviderOptions } from './demo-provider';
