import { describe, expect, it } from 'vitest';
import { comfyUISizeFor } from './comfyui-size';
import { builtInTextToImageTemplate } from './workflow-template';

const template = builtInTextToImageTemplate();

describe('comfyUISizeFor', () => {
  it('leaves the template size when nothing is asked', () => {
    expect(comfyUISizeFor({}, template)).toBeUndefined();
  });

  it('an aspect ratio keeps the template long edge, in multiples of 8', () => {
    expect(comfyUISizeFor({ aspectRatio: '16:9' }, template)).toEqual({ width: 512, height: 288, warnings: [] });
    expect(comfyUISizeFor({ aspectRatio: '2:3' }, template)).toEqual({ width: 344, height: 512, warnings: [] });
  });

  it('a preset sets the long edge; alone it keeps the template ratio', () => {
    expect(comfyUISizeFor({ size: '1K', aspectRatio: '4:3' }, template)).toMatchObject({ width: 1024, height: 768 });
    expect(comfyUISizeFor({ size: '2K' }, template)).toMatchObject({ width: 2048, height: 2048 });
  });

  it('an exact size is used, rounded to multiples of 8 with a warning', () => {
    expect(comfyUISizeFor({ size: '640x480' }, template)).toEqual({ width: 640, height: 480, warnings: [] });
    expect(comfyUISizeFor({ size: '1001x500', aspectRatio: '1:1' }, template)).toEqual({
      width: 1000,
      height: 504,
      warnings: ['size 1001x500 rounded to 1000x504 (multiples of 8)', 'aspectRatio 1:1 ignored: size 1001x500 is exact'],
    });
  });
});
