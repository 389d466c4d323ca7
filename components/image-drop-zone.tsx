'use client';

import { useEffect, useId, useState, type DragEvent } from 'react';
import { formatBytes } from './format';
import styles from './image-drop-zone.module.css';

export const acceptedImageTypes = ['image/png', 'image/jpeg', 'image/webp'] as const;
export const maxImageBytes = 10 * 1024 * 1024;

/** Why a file can't be the input image, or undefined when it can. */
export function checkInputImage(file: File): string | undefined {
  if (!(acceptedImageTypes as readonly string[]).includes(file.type)) {
    return `"${file.name}" is not a PNG, JPEG or WebP image.`;
  }
  if (file.size > maxImageBytes) return `The image is ${formatBytes(file.size)}; the limit is 10 MB.`;
  return undefined;
}

export function firstImageFile(files: FileList | null | undefined): File | undefined {
  return Array.from(files ?? []).find((file) => file.type.startsWith('image/'));
}

interface ImageDropZoneProps {
  file: File | null;
  onSelect: (file: File) => void;
  onRemove: () => void;
  error?: string;
  errorId: string;
}

/** The optional input image: click, drop or paste; a thumbnail with a remove button once chosen. */
export function ImageDropZone({ file, onSelect, onRemove, error, errorId }: ImageDropZoneProps) {
  const inputId = useId();
  const [previewUrl, setPreviewUrl] = useState<string | null>(null);
  const [isDragOver, setIsDragOver] = useState(false);

  useEffect(() => {
    if (!file) {
      setPreviewUrl(null);
      return;
    }
    const url = URL.createObjectURL(file);
    setPreviewUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    event.stopPropagation();
    setIsDragOver(false);
    const dropped = firstImageFile(event.dataTransfer.files) ?? event.dataTransfer.files[0];
    if (dropped) onSelect(dropped);
  };
  const onDragOver = (event: DragEvent<HTMLElement>) => {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setIsDragOver(true);
  };

  const className = [styles.zone, isDragOver ? styles.dragOver : '', error ? styles.invalid : '', file ? styles.filled : '']
    .filter(Boolean)
    .join(' ');

  return (
    <div className={styles.field}>
      <span className={styles.label} id={`${inputId}-label`}>
        Input image <span className={styles.optional}>(optional)</span>
      </span>
      <div className={className} onDrop={onDrop} onDragOver={onDragOver} onDragLeave={() => setIsDragOver(false)} data-testid="image-drop-zone">
        {file && previewUrl ? (
          <div className={styles.preview}>
            <img src={previewUrl} alt={`Input image: ${file.name}`} className={styles.thumbnail} data-testid="image-preview" />
            <span className={styles.fileText}>
              <span className={styles.fileName}>{file.name}</span>
              <span className={styles.fileMeta}>{formatBytes(file.size)} · image-to-image</span>
            </span>
            <button type="button" className={styles.remove} onClick={onRemove} aria-label={`Remove input image ${file.name}`} data-testid="image-remove">
              <span aria-hidden="true">×</span>
            </button>
          </div>
        ) : (
          <label htmlFor={inputId} className={styles.pick}>
            <svg className={styles.icon} viewBox="0 0 24 24" aria-hidden="true">
              <path d="M4 16l4.5-4.5 3 3L16 10l4 4M4 5h16v14H4z" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
            </svg>
            <span>
              <span className={styles.pickMain}>Add an image</span>
              <span className={styles.pickHint}>click, drop or paste · PNG, JPEG, WebP</span>
            </span>
          </label>
        )}
        <input
          id={inputId}
          type="file"
          accept={acceptedImageTypes.join(',')}
          className="visually-hidden"
          data-testid="image-input"
          aria-labelledby={`${inputId}-label`}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          tabIndex={file ? -1 : 0}
          onChange={(event) => {
            const chosen = event.currentTarget.files?.[0];
            event.currentTarget.value = '';
            if (chosen) onSelect(chosen);
          }}
        />
      </div>
      {error ? (
        <p className="field-error" id={errorId} data-testid="field-error" data-field="image" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
