/**
 * Every model the CLI knows, in the order `clusterspec list` shows them.
 *
 * @module
 */
import type { ModelDefinition } from '../checker/model.js';
import { ddlCoordinator } from './ddl-coordinator.js';
import { initialSync } from './initial-sync.js';
import { rollback } from './rollback.js';
import { twoPhase } from './two-phase.js';
import { twoPhaseCommit } from './two-phase-commit.js';
import { vectorClock } from './vector-clock.js';
import { writeback } from './writeback.js';
import { migration } from './migration.js';
import { rangeDeletion } from './range-deletion.js';

export const registry: readonly ModelDefinition[] = [twoPhase, vectorClock, initialSync, rollback, migration, rangeDeletion, twoPhaseCommit, ddlCoordinator, writeback];

/** The registered model called `name`, or `undefined`. */
export function findModel(name: string): ModelDefinition | undefined {
  return registry.find((m) => m.name === name);
}
