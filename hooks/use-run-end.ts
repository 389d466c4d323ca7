'use client';

import { useEffect, useRef } from 'react';
import type { BatchRun, RunStatus } from '@/components/lib/batch-state';

/**
 * Calls `onEnd` when a run the page has shown running ends (for the end-of-batch notification).
 * Batches that were already over when they appeared (the saved history) say nothing; a batch that
 * runs again after a retry is announced again when it ends.
 */
export function useRunEnd(runs: BatchRun[], onEnd: (run: BatchRun) => void): void {
  const statusesRef = useRef(new Map<string, RunStatus>());
  const onEndRef = useRef(onEnd);
  useEffect(() => {
    onEndRef.current = onEnd;
  });
  useEffect(() => {
    const previous = statusesRef.current;
    const current = new Map<string, RunStatus>();
    for (const run of runs) {
      current.set(run.clientId, run.status);
      if (previous.get(run.clientId) === 'running' && run.status !== 'running') onEndRef.current(run);
    }
    statusesRef.current = current;
  }, [runs]);
}
