'use client';

import { useEffect, useRef } from 'react';
import type { BatchRun } from './batch-state';

/** Calls `onEnd` once for each run that has ended (for the end-of-batch notification). */
export function useRunEnd(runs: BatchRun[], onEnd: (run: BatchRun) => void): void {
  const endedRef = useRef(new Set<string>());
  const onEndRef = useRef(onEnd);
  useEffect(() => {
    onEndRef.current = onEnd;
  });
  useEffect(() => {
    for (const run of runs) {
      if (run.status === 'running' || endedRef.current.has(run.clientId)) continue;
      endedRef.current.add(run.clientId);
      onEndRef.current(run);
    }
  }, [runs]);
}
