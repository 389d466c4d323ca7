'use client';

import { useCallback, useEffect, useRef, useState, type CSSProperties, type MouseEvent, type PointerEvent } from 'react';
import { fittedView, isZoomedIn, panBy, swipeDirection, toggleActualSize, zoomAbout, type Size, type ZoomView } from '@/components/lib/zoom';

interface Gesture {
  mode: 'pan' | 'swipe' | 'pinch';
  startX: number;
  startY: number;
  startDistance?: number;
  startView?: ZoomView;
}

/**
 * Zoom (wheel, pinch, double-click, `zoomBy`) and pan (drag) of one image in a stage, and a swipe to
 * the next when it is not zoomed in. Until the user zooms the view follows "fit" (a resize refits);
 * a new `imageKey` starts at fit again.
 */
export function useZoomPan(imageKey: string, onSwipe: (direction: -1 | 1) => void) {
  const stageRef = useRef<HTMLElement>(null);
  const [stage, setStage] = useState<Size>({ width: 0, height: 0 });
  const [natural, setNatural] = useState<{ key: string; size: Size } | null>(null);
  const [zoomed, setZoomed] = useState<{ key: string; view: ZoomView } | null>(null);
  const image = natural?.key === imageKey ? natural.size : null;
  const view = zoomed?.key === imageKey ? zoomed.view : image ? fittedView(image, stage) : { scale: 1, x: 0, y: 0 };

  // The latest values for the wheel listener and the pointer handlers.
  const latest = useRef({ image, stage, view, imageKey, onSwipe });
  latest.current = { image, stage, view, imageKey, onSwipe };
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const gesture = useRef<Gesture | null>(null);

  const change = useCallback((next: (view: ZoomView, image: Size, stage: Size) => ZoomView) => {
    const { image: size, stage: box, view: current, imageKey: key } = latest.current;
    if (!size) return;
    setZoomed({ key, view: next(current, size, box) });
  }, []);

  /** A point of the page, relative to the stage's centre. */
  const fromCentre = (clientX: number, clientY: number) => {
    const rect = stageRef.current?.getBoundingClientRect();
    return rect ? { x: clientX - rect.left - rect.width / 2, y: clientY - rect.top - rect.height / 2 } : { x: 0, y: 0 };
  };

  useEffect(() => {
    const element = stageRef.current;
    if (!element) return;
    const measure = () => setStage({ width: element.clientWidth, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    // Not React's onWheel: that listener is passive, and the page behind must not scroll.
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const point = fromCentre(event.clientX, event.clientY);
      change((current, size, box) => zoomAbout(current, Math.exp(-event.deltaY * 0.002), point, size, box));
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      observer.disconnect();
      element.removeEventListener('wheel', onWheel);
    };
  }, [change]);

  const zoomBy = (factor: number) => change((current, size, box) => zoomAbout(current, factor, { x: 0, y: 0 }, size, box));
  const fit = () => setZoomed(null);

  const onPointerDown = (event: PointerEvent<HTMLElement>) => {
    if ((event.target as Element).closest('button, a') || (event.pointerType === 'mouse' && event.button !== 0)) return;
    pointers.current.set(event.pointerId, { x: event.clientX, y: event.clientY });
    try {
      event.currentTarget.setPointerCapture(event.pointerId);
    } catch {
      // A pointer the browser does not track (a synthetic one) is followed without capture.
    }
    const { image: size, stage: box, view: current } = latest.current;
    const [first, second] = [...pointers.current.values()];
    if (first && second) {
      const startDistance = Math.hypot(second.x - first.x, second.y - first.y);
      gesture.current = { mode: 'pinch', startX: (first.x + second.x) / 2, startY: (first.y + second.y) / 2, startDistance, startView: current };
    } else {
      const isZoomed = size !== null && isZoomedIn(current, size, box);
      gesture.current = { mode: isZoomed ? 'pan' : 'swipe', startX: event.clientX, startY: event.clientY };
    }
  };

  const onPointerMove = (event: PointerEvent<HTMLElement>) => {
    const previous = pointers.current.get(event.pointerId);
    const current = gesture.current;
    if (!previous || !current) return;
    pointers.current.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (current.mode === 'pan') {
      change((view, size) => panBy(view, event.clientX - previous.x, event.clientY - previous.y, size));
    } else if (current.mode === 'pinch' && current.startDistance && current.startView) {
      const [first, second] = [...pointers.current.values()];
      if (!first || !second) return;
      const factor = Math.hypot(second.x - first.x, second.y - first.y) / current.startDistance;
      const startView = current.startView;
      const point = fromCentre(current.startX, current.startY);
      change((_view, size, box) => zoomAbout(startView, factor, point, size, box));
    }
  };

  const onPointerEnd = (event: PointerEvent<HTMLElement>) => {
    const current = gesture.current;
    if (!pointers.current.delete(event.pointerId) || !current) return;
    if (current.mode === 'swipe' && event.pointerType !== 'mouse' && event.type === 'pointerup') {
      const direction = swipeDirection(event.clientX - current.startX, event.clientY - current.startY);
      if (direction !== 0) latest.current.onSwipe(direction);
    }
    gesture.current = null;
  };

  const onDoubleClick = (event: MouseEvent<HTMLElement>) => {
    const point = fromCentre(event.clientX, event.clientY);
    change((current, size, box) => toggleActualSize(current, point, size, box));
  };

  const onImageLoad = (element: HTMLImageElement) =>
    setNatural({ key: imageKey, size: { width: element.naturalWidth, height: element.naturalHeight } });

  // Laid out at its real size in CSS pixels (width and height, not a transform): "full size" is the image's own pixels.
  const imageStyle: CSSProperties | undefined = image
    ? {
        width: image.width * view.scale,
        height: image.height * view.scale,
        transform: `translate(calc(-50% + ${view.x}px), calc(-50% + ${view.y}px))`,
      }
    : undefined;

  return {
    stageRef,
    naturalSize: image,
    isZoomed: image !== null && isZoomedIn(view, image, stage),
    imageStyle,
    zoomBy,
    fit,
    onImageLoad,
    stageHandlers: { onPointerDown, onPointerMove, onPointerUp: onPointerEnd, onPointerCancel: onPointerEnd, onDoubleClick },
  };
}
