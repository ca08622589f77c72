/**
 * Live progress of a running search, always on stderr (never stdout): on a terminal a line that
 * log-update rewrites in place about once a second; otherwise a plain line every ten seconds.
 *
 * @module
 */
import { createLogUpdate } from 'log-update';
import type { Progress } from '../checker/index.js';
import { renderProgress } from './render.js';

/** How a search reports progress: the checker options to pass, and a call for when it is over. */
export interface ProgressReporter {
  readonly onProgress: (progress: Progress) => void;
  readonly progressIntervalMs: number;
  /** Clear the live line (terminal); call when the search returns or throws. */
  end(): void;
}

const TTY_INTERVAL_MS = 1000;
const PLAIN_INTERVAL_MS = 10_000;

/** A reporter for the search of `label`, or `undefined` when progress is off (`--quiet`). */
export function startProgress(
  label: string,
  quiet: boolean,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressReporter | undefined {
  if (quiet) return undefined;
  if (stream.isTTY === true) {
    // showCursor: hiding the cursor makes log-update install signal handlers (to restore it on
    // exit), and a JS SIGINT handler cannot run while the synchronous search blocks the event
    // loop: Ctrl-C would no longer stop a long check.
    const line = createLogUpdate(stream, { showCursor: true });
    return {
      // One terminal line: cut rather than let it wrap.
      onProgress: (p) => line(renderProgress(label, p, true).slice(0, Math.max(20, (stream.columns || 80) - 1))),
      progressIntervalMs: TTY_INTERVAL_MS,
      end: () => line.clear(),
    };
  }
  return {
    onProgress: (p) => stream.write(`clusterspec: ${renderProgress(label, p)}\n`),
    progressIntervalMs: PLAIN_INTERVAL_MS,
    end: () => {},
  };
}
