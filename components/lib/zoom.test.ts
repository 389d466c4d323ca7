import { describe, expect, it } from 'vitest';
import { fitScale, fittedView, isZoomedIn, maxScale, panBy, swipeDirection, toggleActualSize, zoomAbout } from './zoom';

const image = { width: 2000, height: 1000 };
const stage = { width: 1000, height: 800 };
const centre = { x: 0, y: 0 };

describe('fit', () => {
  it('shows the whole image, never enlarged past its pixels', () => {
    expect(fitScale(image, stage)).toBe(0.5);
    expect(fitScale({ width: 400, height: 300 }, stage)).toBe(1);
    expect(fittedView(image, stage)).toEqual({ scale: 0.5, x: 0, y: 0 });
  });
});

describe('zoomAbout', () => {
  it('keeps the pixel under the pointer in place', () => {
    const zoomed = zoomAbout(fittedView(image, stage), 2, { x: 200, y: 100 }, image, stage);
    expect(zoomed.scale).toBe(1);
    // The point 200 px right of the centre was image pixel 400 right of the image centre; it still is under the pointer.
    expect((200 - zoomed.x) / zoomed.scale).toBeCloseTo(400);
  });

  it('stays between fit and the maximum, and at fit comes back to the centre', () => {
    expect(zoomAbout({ scale: 1, x: 300, y: 0 }, 0.1, centre, image, stage)).toEqual({ scale: 0.5, x: 0, y: 0 });
    expect(zoomAbout({ scale: 4, x: 0, y: 0 }, 10, centre, image, stage).scale).toBe(maxScale);
  });
});

describe('toggleActualSize', () => {
  it('goes to the image’s own pixels, then back to fit', () => {
    const actual = toggleActualSize(fittedView(image, stage), centre, image, stage);
    expect(actual.scale).toBe(1);
    expect(isZoomedIn(actual, image, stage)).toBe(true);
    expect(toggleActualSize(actual, centre, image, stage)).toEqual({ scale: 0.5, x: 0, y: 0 });
  });
});

describe('panBy', () => {
  it('moves, but never so far that the image leaves the stage’s centre', () => {
    expect(panBy({ scale: 1, x: 0, y: 0 }, 120, -40, image)).toEqual({ scale: 1, x: 120, y: -40 });
    expect(panBy({ scale: 1, x: 0, y: 0 }, 5000, 0, image).x).toBe(1000);
  });
});

describe('swipeDirection', () => {
  it('a long horizontal swipe turns the page; a short or vertical one does not', () => {
    expect(swipeDirection(-120, 10)).toBe(-1);
    expect(swipeDirection(120, 10)).toBe(1);
    expect(swipeDirection(30, 0)).toBe(0);
    expect(swipeDirection(-80, 90)).toBe(0);
  });
});
