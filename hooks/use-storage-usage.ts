'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { StorageUsageView } from '@/lib/core/api-views';
import { getStorageUsage } from '@/components/lib/batch-api';

/**
 * What the server's gallery takes (`GET /api/storage`): loaded with the page when it could be,
 * read again by `refresh()` after a batch ends or is deleted. A refresh that fails keeps the last
 * figures; an older answer never replaces a newer one.
 */
export function useStorageUsage(initial: StorageUsageView | null) {
  const [usage, setUsage] = useState(initial);
  const latestRequestRef = useRef(0);

  const refresh = useCallback(async () => {
    const request = (latestRequestRef.current += 1);
    const result = await getStorageUsage();
    if (result.ok && request === latestRequestRef.current) setUsage(result.value);
  }, []);

  const hasInitial = initial !== null;
  useEffect(() => {
    if (!hasInitial) void refresh();
  }, [hasInitial, refresh]);

  return { usage, refresh };
}
