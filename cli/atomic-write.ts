/**
 * Output files named on the command line (`check --trace-out`, `diagram --out`): validated up front,
 * written atomically at the end.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.js';

/**
 * Throw a {@link UsageError} unless `file` can be created: its directory exists, is a directory
 * and is writable, and `file` itself is not a directory.
 */
export function assertWritableTarget(file: string, option: string): void {
  if (file === '') throw new UsageError(`${option} needs a file name`);
  const resolved = path.resolve(file);
  const dir = path.dirname(resolved);
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    throw new UsageError(`${option} ${file}: directory "${dir}" does not exist`);
  }
  if (!dirStat.isDirectory()) throw new UsageError(`${option} ${file}: "${dir}" is not a directory`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`${option} ${file}: directory "${dir}" is not writable`);
  }
  if (fs.statSync(resolved, { throwIfNoEntry: false })?.isDirectory() === true) {
    throw new UsageError(`${option} ${file} is a directory`);
  }
}

/** Write `content` to `file` atomically: to `<file>.tmp-<pid>` first, then rename over `file`. */
export function writeFileAtomically(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
