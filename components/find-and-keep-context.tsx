'use client';

import { createContext, useContext } from 'react';

/** An image the person may choose: which batch made it, at which index. */
export interface ChosenImage {
  imageId: string;
  batchId: string;
  index: number;
}

/** What the gallery's tiles and the lightbox offer for one image: favorite, choose, delete. */
export interface FindAndKeepActions {
  /** Select mode is on: each image shows a checkbox. */
  isSelecting: boolean;
  isSelected: (imageId: string) => boolean;
  toggleSelected: (image: ChosenImage) => void;
  /** Marks the image as a favorite or not (the star's aria-pressed follows the server's answer). */
  toggleFavorite: (batchId: string, index: number, isFavorite: boolean) => void;
  /** A favorite request for this image is on its way. */
  isFavoritePending: (batchId: string, index: number) => boolean;
  /** Deletes the image (the person has confirmed); resolves whether it went. */
  deleteImage: (batchId: string, index: number) => Promise<boolean>;
  isDeletePending: (batchId: string, index: number) => boolean;
}

export const FindAndKeepContext = createContext<FindAndKeepActions | null>(null);

/** The actions, or null outside the page's gallery (the tools then stay hidden). */
export function useFindAndKeep(): FindAndKeepActions | null {
  return useContext(FindAndKeepContext);
}
