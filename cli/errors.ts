/**
 * Exit codes of `clusterspec` and the error that means "bad input".
 *
 * @module
 */

/** The process exit codes: a contract for CI (see `docs/cli.md`). */
export const EXIT = {
  /** Every model passed with a complete search (or `list`, `--help`, `--version`). */
  pass: 0,
  /** A violation was found in at least one model. */
  violation: 1,
  /** Bad input: unknown command, option, model, size, bug, or a malformed value. Nothing was checked. */
  usage: 2,
  /** No violation, but at least one search was incomplete (a limit was hit, or `--strategy random`). */
  incomplete: 3,
  /** An unexpected error: a model or the checker threw, or the trace file could not be written. */
  error: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad command-line input. Its message is one line, printed as `clusterspec: <message>`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
