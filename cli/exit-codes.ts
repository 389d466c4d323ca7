/** What the command's exit status means (documented in `imagegen --help` and the README). */
export const exitCodes = {
  /** Every image was made. */
  allSucceeded: 0,
  /** No image was made (every one failed or was canceled), or the command could not run. */
  noneSucceeded: 1,
  /** Some images were made, some failed. */
  someFailed: 2,
  /** Bad usage: an option, argument or input file to fix (BSD's EX_USAGE). */
  usage: 64,
  /** Interrupted with Ctrl-C: the batch was canceled, what was made is kept (128 + SIGINT). */
  interrupted: 130,
} as const;

/** The exit status for a finished batch's counts. */
export function exitCodeFor(counts: { total: number; succeeded: number }): number {
  if (counts.succeeded === counts.total) return exitCodes.allSucceeded;
  return counts.succeeded === 0 ? exitCodes.noneSucceeded : exitCodes.someFailed;
}
