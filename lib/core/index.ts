export * from './errors';
export * from './image';
export * from './provider';
export * from './classic-response';
export * from './events';
export * from './config';
export * from './sleep';
