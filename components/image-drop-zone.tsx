'use client';

import { useEffect, useId, useState, type DragEvent } from 'react';
import { formatBytes } from './format';
import styles from './image-drop-zone.module.css';

export const acceptedImageTypes = ['image/png', 'image/jpeg', 'image/webp'] as const;
export const maxImageBytes = 10 * 1024 * 1024;

/** Why a file can't be an input image, or undefined when it can. */
export function checkInputImage(file: File): string | undefined {
  if (!(acceptedImageTypes as readonly string[]).includes(file.type)) {
    return `"${file.name}" is not a PNG, JPEG or WebP image.`;
  }
  if (file.size > maxImageBytes) return `The image is ${formatBytes(file.size)}; the limit is 10 MB.`;
  return undefined;
}

/** The image files of a drop or paste (or the first file, so that a wrong type is reported). */
export function imageFilesOf(files: FileList | null | undefined): File[] {
  const all = Array.from(files ?? []);
  const images = all.filter((file) => file.type.startsWith('image/'));
  return images.length > 0 ? images : all.slice(0, 1);
}

// Stable React keys for files (a File has no id; removing one must not reload the others' previews).
const fileKeys = new WeakMap<File, number>();
let nextFileKey = 0;
function keyOf(file: File): number {
  let key = fileKeys.get(file);
  if (key === undefined) {
    key = (nextFileKey += 1);
    fileKeys.set(file, key);
  }
  return key;
}

function usePreviewUrl(file: File): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const objectUrl = URL.createObjectURL(file);
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [file]);
  return url;
}

function InputThumbnail({ file, isDetailed, onRemove }: { file: File; isDetailed: boolean; onRemove: () => void }) {
  const url = usePreviewUrl(file);
  return (
    <li className={isDetailed ? styles.preview : styles.tile}>
      {url ? (
        <img src={url} alt={`Input image: ${file.name}`} className={styles.thumbnail} data-testid="image-preview" />
      ) : (
        <span className={styles.thumbnail} />
      )}
      {isDetailed ? (
        <span className={styles.fileText}>
          <span className={styles.fileName}>{file.name}</span>
          <span className={styles.fileMeta}>{formatBytes(file.size)} · image-to-image</span>
        </span>
      ) : null}
      <button
        type="button"
        className={isDetailed ? styles.remove : styles.tileRemove}
        onClick={onRemove}
        aria-label={`Remove input image ${file.name}`}
        title={`Remove ${file.name}`}
        data-testid="image-remove"
      >
        <span aria-hidden="true">×</span>
      </button>
    </li>
  );
}

interface ImageDropZoneProps {
  files: File[];
  /** Most files the chosen model takes (at least 1: the zone is not shown without image-to-image). */
  maxFiles: number;
  onAdd: (files: File[]) => void;
  onRemove: (index: number) => void;
  error?: string;
  errorId: string;
}

/** The optional input images: click, drop or paste; a thumbnail with a remove button for each. */
export function ImageDropZone({ files, maxFiles, onAdd, onRemove, error, errorId }: ImageDropZoneProps) {
  const inputId = useId();
  const [isDragOver, setIsDragOver] = useState(false);
  const hasRoom = files.length < maxFiles;
  const isMultiple = maxFiles > 1;

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    event.stopPropagation();
    setIsDragOver(false);
    const dropped = imageFilesOf(event.dataTransfer.files);
    if (dropped.length > 0) onAdd(dropped);
  };
  const onDragOver = (event: DragEvent<HTMLElement>) => {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setIsDragOver(true);
  };

  const className = [styles.zone, isDragOver ? styles.dragOver : '', error ? styles.invalid : '', files.length > 0 ? styles.filled : '']
    .filter(Boolean)
    .join(' ');

  return (
    <div className={styles.field}>
      <span className={styles.label} id={`${inputId}-label`}>
        {isMultiple ? 'Input images' : 'Input image'}{' '}
        <span className={styles.optional}>
          (optional{isMultiple ? `, up to ${maxFiles}` : ''})
        </span>
      </span>
      <div
        className={className}
        onDrop={onDrop}
        onDragOver={onDragOver}
        onDragLeave={() => setIsDragOver(false)}
        data-testid="image-drop-zone"
        data-count={files.length}
      >
        {files.length > 0 ? (
          <>
            <ul className={files.length === 1 ? styles.single : styles.previews} aria-label="Input images">
              {files.map((file, index) => (
                <InputThumbnail key={keyOf(file)} file={file} isDetailed={files.length === 1} onRemove={() => onRemove(index)} />
              ))}
            </ul>
            {hasRoom ? (
              <label htmlFor={inputId} className={styles.addMore} title="Add another image (click, drop or paste)">
                <span aria-hidden="true">+</span>
                <span className="visually-hidden">Add another image</span>
              </label>
            ) : null}
          </>
        ) : (
          <label htmlFor={inputId} className={styles.pick}>
            <svg className={styles.icon} viewBox="0 0 24 24" aria-hidden="true">
              <path d="M4 16l4.5-4.5 3 3L16 10l4 4M4 5h16v14H4z" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
            </svg>
            <span>
              <span className={styles.pickMain}>{isMultiple ? 'Add images' : 'Add an image'}</span>
              <span className={styles.pickHint}>click, drop or paste · PNG, JPEG, WebP</span>
            </span>
          </label>
        )}
        <input
          id={inputId}
          type="file"
          accept={acceptedImageTypes.join(',')}
          multiple={isMultiple}
          className="visually-hidden"
          data-testid="image-input"
          aria-labelledby={`${inputId}-label`}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          tabIndex={hasRoom ? 0 : -1}
          disabled={!hasRoom}
          onChange={(event) => {
            const chosen = Array.from(event.currentTarget.files ?? []);
            event.currentTarget.value = '';
            if (chosen.length > 0) onAdd(chosen);
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
