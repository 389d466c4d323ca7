/**
 * BENCHMARKS.md keeps each section of the bench between its own markers
 * (`<!-- bench:NAME:start -->` … `<!-- bench:NAME:end -->`), so `npm run bench -- --only X --write`
 * replaces section X and keeps the others as their last runs left them. A section seen for the
 * first time goes at the end of the results (before `<!-- bench:results:end -->`).
 */
export function replaceBenchSections(current: string, blocks: ReadonlyMap<string, string>): string {
  const resultsEnd = '<!-- bench:results:end -->';
  let text = current.includes(resultsEnd) ? current : `${current.trimEnd()}\n\n<!-- bench:results:start -->\n${resultsEnd}\n`;
  for (const [name, block] of blocks) {
    const start = `<!-- bench:${name}:start -->`;
    const end = `<!-- bench:${name}:end -->`;
    const wrapped = `${start}\n${block.trim()}\n${end}`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from !== -1 && to > from) {
      text = `${text.slice(0, from)}${wrapped}${text.slice(to + end.length)}`;
    } else {
      const at = text.indexOf(resultsEnd);
      text = `${text.slice(0, at)}${wrapped}\n${text.slice(at)}`;
    }
  }
  return text;
}
