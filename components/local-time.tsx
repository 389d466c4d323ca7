'use client';

import { useEffect, useState } from 'react';
import { formatWhen } from './format';

/**
 * A time in the reader's time zone and locale. Rendered after hydration: the server's zone and
 * locale may differ from the browser's, and a mismatch would be a hydration error.
 */
export function LocalTime({ timestamp }: { timestamp: number }) {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => setText(formatWhen(timestamp)), [timestamp]);
  return (
    <time dateTime={new Date(timestamp).toISOString()} suppressHydrationWarning>
      {text}
    </time>
  );
}
