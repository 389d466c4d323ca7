import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** Serious and critical axe violations: what the browser tests allow none of. */
const blockingImpacts = new Set(['serious', 'critical']);

/**
 * Runs axe-core on the page as it is now (or on `include`, a selector) against WCAG 2.1 A and AA
 * and axe's best practices, and fails with each serious or critical violation named, with the
 * elements it found it on.
 */
export async function expectNoSeriousViolations(page: Page, label: string, include?: string): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']);
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  const blocking = violations
    .filter((violation) => blockingImpacts.has(violation.impact ?? ''))
    .map((violation) => `${violation.impact} ${violation.id}: ${violation.help}\n${violation.nodes.map((node) => `    ${node.target.join(' ')} ${node.failureSummary?.split('\n').slice(1, 2).join(' ') ?? ''}`).join('\n')}`);
  expect(blocking, `axe on ${label}`).toEqual([]);
}
