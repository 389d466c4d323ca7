import { describe, expect, it } from 'vitest';
import { progressEventSchema } from '@/lib/core/events';
import { parseProgressMessage } from './progress-message';

const counters = { batchId: 'b1', total: 1, completed: 0, failed: 0, etaMs: null };
const batchStart = { type: 'batch-start', ...counters, sequence: 1, provider: 'demo', model: 'm', isDemo: true, mode: 'text-to-image' };
const itemEnd = { type: 'item-end', ...counters, sequence: 2, completed: 1, etaMs: 0, index: 1, status: 'succeeded', imageUrl: '/api/images/a.png', mimeType: 'image/png' };

describe('parseProgressMessage', () => {
  it('answers a validated event', () => {
    const parsed = parseProgressMessage(progressEventSchema, JSON.stringify(itemEnd), 'item-end', '2');
    expect(parsed).toMatchObject({ success: true, event: { type: 'item-end', index: 1, imageUrl: '/api/images/a.png' } });
    expect(parseProgressMessage(progressEventSchema, JSON.stringify(batchStart), undefined).success).toBe(true);
  });

  it('reports what does not match the schema instead of trusting it', () => {
    expect(parseProgressMessage(progressEventSchema, 'not json', 'item-end', '3')).toEqual({ success: false, problem: 'event 3 is not JSON' });
    const wrong = parseProgressMessage(progressEventSchema, JSON.stringify({ ...itemEnd, index: 0 }), 'item-end', '4');
    expect(wrong.success).toBe(false);
    expect(wrong.success ? '' : wrong.problem).toContain('event 4 does not match the progress event schema');
  });

  it('refuses an event whose SSE name says another type', () => {
    const parsed = parseProgressMessage(progressEventSchema, JSON.stringify(batchStart), 'item-end', '1');
    expect(parsed).toEqual({ success: false, problem: 'event 1 is named "item-end" but carries a "batch-start"' });
  });
});
