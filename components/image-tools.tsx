'use client';

import type { Slot } from '@/components/lib/batch-state';
import { ConfirmButton } from './confirm-button';
import { useFindAndKeep } from './find-and-keep-context';
import { MoreLikeThisButton } from './remix-buttons';
import styles from './image-tools.module.css';

interface FavoriteButtonProps {
  isFavorite: boolean;
  isPending: boolean;
  onToggle: () => void;
  /** What the button names: "image 3". */
  subject: string;
  /** Shows its state in words beside the star (the lightbox); the tile has the star alone. */
  hasText?: boolean;
  testId: string;
  className?: string;
}

/** A star that toggles: `aria-pressed` says whether the image is a favorite. */
export function FavoriteButton({ isFavorite, isPending, onToggle, subject, hasText = false, testId, className }: FavoriteButtonProps) {
  return (
    <button
      type="button"
      className={`${hasText ? 'button button-secondary' : styles.star} ${className ?? ''}`}
      aria-pressed={isFavorite}
      aria-label={hasText ? undefined : `Favorite ${subject}`}
      aria-busy={isPending || undefined}
      title={isFavorite ? `Remove ${subject} from the favorites` : `Keep ${subject} as a favorite`}
      onClick={onToggle}
      data-testid={testId}
      data-favorite={isFavorite}
    >
      <svg className={styles.starIcon} viewBox="0 0 24 24" aria-hidden="true">
        <path
          d="M12 3.6l2.55 5.17 5.7.83-4.12 4.02.97 5.68L12 16.62 6.9 19.3l.97-5.68L3.75 9.6l5.7-.83z"
          fill={isFavorite ? 'currentColor' : 'none'}
          stroke="currentColor"
          strokeWidth="1.7"
          strokeLinejoin="round"
        />
      </svg>
      {hasText ? <span>{isFavorite ? 'Favorite' : 'Add to favorites'}</span> : null}
    </button>
  );
}

/** On a gallery tile of a made image: its star, and in select mode its checkbox. */
export function TileTools({ batchId, slot, prompt }: { batchId: string; slot: Slot; prompt: string }) {
  const actions = useFindAndKeep();
  if (!actions || !slot.image) return null;
  const imageId = slot.image.imageId;
  const isFavorite = slot.isFavorite === true;
  return (
    <>
      {actions.isSelecting && imageId ? (
        <label className={styles.check}>
          <input
            type="checkbox"
            checked={actions.isSelected(imageId)}
            onChange={() => actions.toggleSelected({ imageId, batchId, index: slot.index })}
            data-testid="select-image"
          />
          <span className="visually-hidden">
            Select image {slot.index}: {prompt}
          </span>
        </label>
      ) : null}
      <FavoriteButton
        isFavorite={isFavorite}
        isPending={actions.isFavoritePending(batchId, slot.index)}
        onToggle={() => actions.toggleFavorite(batchId, slot.index, !isFavorite)}
        subject={`image ${slot.index}`}
        testId="favorite-button"
        className={`${styles.tileStar} ${isFavorite ? styles.isFavorite : ''}`}
      />
      <MoreLikeThisButton batchId={batchId} index={slot.index} />
    </>
  );
}

/** In the lightbox: the star with its state in words, and "Delete image" with a confirmation. */
export function LightboxTools({ batchId, slot }: { batchId: string | null; slot: Slot | undefined }) {
  const actions = useFindAndKeep();
  if (!actions || !batchId || !slot) return null;
  const isFavorite = slot.isFavorite === true;
  return (
    <>
      <FavoriteButton
        isFavorite={isFavorite}
        isPending={actions.isFavoritePending(batchId, slot.index)}
        onToggle={() => actions.toggleFavorite(batchId, slot.index, !isFavorite)}
        subject={`image ${slot.index}`}
        hasText
        testId="lightbox-favorite"
      />
      <ConfirmButton
        label="Delete image"
        pendingLabel="Deleting…"
        question={`Delete image ${slot.index} from the server?`}
        isPending={actions.isDeletePending(batchId, slot.index)}
        onConfirm={() => void actions.deleteImage(batchId, slot.index)}
        testId="lightbox-delete"
      />
    </>
  );
}
