/**
 * The faults of the world model counted so far, against the bounds of a model's size.
 *
 * @module
 */

export interface Faults {
  readonly lost: number;
  readonly duplicated: number;
  readonly crashes: number;
}

export const NO_FAULTS: Faults = Object.freeze({ lost: 0, duplicated: 0, crashes: 0 });
