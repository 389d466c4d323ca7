'use client';

import { useEffect, useRef } from 'react';

/**
 * Files pasted anywhere on the page, or dropped anywhere on it, go to `onFile` (a drop that misses
 * the drop zone must not navigate away from the page and lose the session's images).
 */
export function useFilePasteAndDrop(onFile: (file: File) => void): void {
  const onFileRef = useRef(onFile);
  useEffect(() => {
    onFileRef.current = onFile;
  });

  useEffect(() => {
    const firstFile = (files: FileList | undefined | null) =>
      Array.from(files ?? []).find((file) => file.type.startsWith('image/')) ?? files?.[0];

    const onPaste = (event: ClipboardEvent) => {
      const file = firstFile(event.clipboardData?.files);
      if (!file) return;
      // Pasting into the prompt keeps its text, if the clipboard has some.
      const hasText = (event.clipboardData?.getData('text/plain') ?? '') !== '';
      if (!hasText) event.preventDefault();
      onFileRef.current(file);
    };
    const onDragOver = (event: DragEvent) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    };
    const onDrop = (event: DragEvent) => {
      if (!event.dataTransfer?.types.includes('Files')) return;
      event.preventDefault();
      const file = firstFile(event.dataTransfer.files);
      if (file) onFileRef.current(file);
    };

    window.addEventListener('paste', onPaste);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('paste', onPaste);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
}
