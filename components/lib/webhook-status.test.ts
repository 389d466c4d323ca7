import { describe, expect, it } from 'vitest';
import type { WebhookDeliveryView } from '@/lib/core/api-views';
import { describeWebhooks, hasWebhookDueSoon } from './webhook-status';

const delivery = (overrides: Partial<WebhookDeliveryView> = {}): WebhookDeliveryView => ({
  id: 'msg_1',
  target: 'https://hooks.example.org',
  status: 'pending',
  sequence: 5,
  attempts: 0,
  ...overrides,
});

describe('describeWebhooks', () => {
  it('says nothing for a batch without webhooks', () => {
    expect(describeWebhooks(undefined)).toBeUndefined();
    expect(describeWebhooks([])).toBeUndefined();
  });

  it('says delivered, sending, retrying and failed', () => {
    expect(describeWebhooks([delivery({ status: 'delivered', attempts: 1, lastStatusCode: 200 })])).toMatchObject({ text: 'Webhook: delivered', tone: 'done' });
    expect(describeWebhooks([delivery()])).toMatchObject({ text: 'Webhook: sending…', tone: 'waiting' });
    expect(describeWebhooks([delivery({ attempts: 3, lastStatusCode: 500 })])).toMatchObject({ text: 'Webhook: retrying (3 attempts, last 500)', tone: 'waiting' });
    expect(describeWebhooks([delivery({ attempts: 1, lastError: 'No answer within 10 s' })])?.text).toBe('Webhook: retrying (1 attempt, no answer within 10 s)');
    expect(describeWebhooks([delivery({ status: 'failed', attempts: 11, lastStatusCode: 500 })])).toMatchObject({ text: 'Webhook: failed (11 attempts, last 500)', tone: 'failed' });
  });

  it('describes the latest end only, and several targets by the worst', () => {
    const earlier = delivery({ id: 'msg_0', sequence: 2, status: 'failed', attempts: 11, lastStatusCode: 500 });
    expect(describeWebhooks([earlier, delivery({ status: 'delivered', attempts: 1 })])?.text).toBe('Webhook: delivered');
    const label = describeWebhooks([delivery({ status: 'delivered', attempts: 1 }), delivery({ id: 'msg_2', target: 'https://ops.example.org', attempts: 2, lastStatusCode: 502 })]);
    expect(label?.text).toBe('Webhooks (2): retrying (2 attempts, last 502)');
    expect(label?.title).toContain('https://ops.example.org: pending after 2 attempts, last 502');
  });

  it('asks for polling while one is pending with its attempt within the minute', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(hasWebhookDueSoon([delivery({ status: 'delivered' }), delivery({ nextAttemptAt: '2026-11-30T12:00:00Z' })], now)).toBe(true);
    expect(hasWebhookDueSoon([delivery({ attempts: 2, nextAttemptAt: '2026-11-30T12:00:30Z' })], now)).toBe(true);
    expect(hasWebhookDueSoon([delivery({ attempts: 6, nextAttemptAt: '2026-11-30T13:00:00Z' })], now)).toBe(false);
    expect(hasWebhookDueSoon([delivery({ status: 'failed' })], now)).toBe(false);
    expect(hasWebhookDueSoon(undefined, now)).toBe(false);
  });
});
