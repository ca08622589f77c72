/**
 * The checker's entry point: run one search strategy over a model.
 *
 * @module
 */
import { breadthFirst } from './bfs.js';
import { depthFirst } from './dfs.js';
import type { Action, Model, State } from './model.js';
import type { CheckOptions, CheckResult } from './search.js';
import { randomSimulation } from './simulation.js';

/** Explore `model` with the strategy of `options` (breadth-first by default). */
export function check<S extends State, A extends Action>(
  model: Model<S, A>,
  options: CheckOptions = {},
): CheckResult<S, A> {
  switch (options.strategy ?? 'bfs') {
    case 'bfs':
      return breadthFirst(model, options);
    case 'dfs':
      return depthFirst(model, options);
    case 'random':
      return randomSimulation(model, options);
  }
}
