'use client';

import { useState } from 'react';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import type { ComposerFill } from '@/components/lib/composer-fill';
import type { ChosenModel, OptionValues } from '@/components/lib/model-options';

/** A dropped image whose settings are now in the composer; it may still become the input image. */
export interface SettingsNotice {
  file: File;
}

interface DroppedSettingsDependencies {
  catalog: ProvidersCatalog;
  chosen: ChosenModel;
  options: OptionValues;
  applyFill: (fill: ComposerFill) => void;
  addImages: (files: File[]) => void;
}

/**
 * Files dropped, pasted or chosen: a single PNG that carries generation settings (this app's,
 * AUTOMATIC1111's, ComfyUI's) fills the composer instead of becoming an input image (the notice
 * offers that too); any other file is an input image, as before.
 */
export function useDroppedSettings({ catalog, chosen, options, applyFill, addImages }: DroppedSettingsDependencies) {
  const [notice, setNotice] = useState<SettingsNotice | null>(null);

  const receiveFiles = async (files: File[]) => {
    const [only] = files;
    if (files.length === 1 && only?.type === 'image/png') {
      // The PNG reader is loaded only when a PNG arrives: the first page load stays light.
      const { readComposerFill } = await import('@/components/lib/read-image-settings');
      const fill = await readComposerFill(only, catalog, chosen, options).catch(() => undefined);
      if (fill) {
        applyFill(fill);
        setNotice({ file: only });
        return;
      }
    }
    addImages(files);
  };

  const takeNoticeImageAsInput = () => {
    if (notice) addImages([notice.file]);
    setNotice(null);
  };

  return {
    notice,
    receiveFiles: (files: File[]) => void receiveFiles(files),
    takeNoticeImageAsInput,
    dismissNotice: () => setNotice(null),
  };
}
