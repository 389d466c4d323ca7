import { describe, expect, it } from 'vitest';
import { replaceBenchSections } from './bench-file';

const file = [
  '# Benchmarks',
  '<!-- bench:results:start -->',
  '<!-- bench:machine:start -->',
  '## Machine',
  'old machine',
  '<!-- bench:machine:end -->',
  '',
  '<!-- bench:load:start -->',
  '## Load',
  'old load',
  '<!-- bench:load:end -->',
  '<!-- bench:results:end -->',
  '',
  '## Notes',
].join('\n');

describe('replaceBenchSections', () => {
  it('replaces only the sections run, keeps the others and the text around them', () => {
    const next = replaceBenchSections(file, new Map([['machine', '## Machine\nnew machine\n']]));
    expect(next).toContain('new machine');
    expect(next).not.toContain('old machine');
    expect(next).toContain('old load');
    expect(next.endsWith('## Notes')).toBe(true);
    expect(next.match(/bench:machine:start/g)).toHaveLength(1);
  });

  it('puts a new section at the end of the results, once, and replaces it on the next run', () => {
    const first = replaceBenchSections(file, new Map([['page', '## Page\n1 KB']]));
    expect(first.indexOf('## Page')).toBeGreaterThan(first.indexOf('old load'));
    expect(first.indexOf('## Page')).toBeLessThan(first.indexOf('<!-- bench:results:end -->'));
    const second = replaceBenchSections(first, new Map([['page', '## Page\n2 KB']]));
    expect(second).toContain('2 KB');
    expect(second).not.toContain('1 KB');
    expect(second.match(/## Page/g)).toHaveLength(1);
  });

  it('makes the results markers in a file that has none', () => {
    const next = replaceBenchSections('# Benchmarks\n', new Map([['load', '## Load']]));
    expect(next).toBe('# Benchmarks\n\n<!-- bench:results:start -->\n<!-- bench:load:start -->\n## Load\n<!-- bench:load:end -->\n<!-- bench:results:end -->\n');
  });
});
