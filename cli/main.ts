#!/usr/bin/env node
/**
 * The `clusterspec` command. See `docs/cli.md`.
 *
 * @module
 */
import { run } from './program.js';

// Set the exit code rather than calling process.exit(): pending writes to a piped stdout finish.
process.exitCode = run(process.argv.slice(2));
