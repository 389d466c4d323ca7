export { createDemoProvider, type DemoProviderOptions } from './demo-provider';
export { demoDescriptor } from './descriptor';
