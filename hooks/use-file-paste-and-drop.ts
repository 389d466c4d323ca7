'use client';

import { useEffect, useRef } from 'react';

/**
 * Files pasted anywhere on the page, or dropped anywhere on it, go to `onFiles` (a drop that misses
 * the drop zone must not navigate away from the page).
 */
export function useFilePasteAndDrop(onFiles: (files: File[]) => void): void {
  const onFilesRef = useRef(onFiles);
  useEffect(() => {
    onFilesRef.current = onFiles;
  });

  useEffect(() => {
    const pickFiles = (files: FileList | undefined | null) => {
      const all = Array.from(files ?? []);
      const images = all.filter((file) => file.type.startsWith('image/'));
      return images.length > 0 ? images : all.slice(0, 1);
    };

    const onPaste = (event: ClipboardEvent) => {
      const files = pickFiles(event.clipboardData?.files);
      if (files.length === 0) return;
      // Pasting into the prompt keeps its text, if the clipboard has some.
      const hasText = (event.clipboardData?.getData('text/plain') ?? '') !== '';
      if (!hasText) event.preventDefault();
      onFilesRef.current(files);
    };
    const onDragOver = (event: DragEvent) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    };
    const onDrop = (event: DragEvent) => {
      if (!event.dataTransfer?.types.includes('Files')) return;
      event.preventDefault();
      const files = pickFiles(event.dataTransfer.files);
      if (files.length > 0) onFilesRef.current(files);
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
