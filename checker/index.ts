/**
 * The generic explicit-state model checker. It knows nothing of any protocol: it sees only the
 * {@link Model} interface.
 *
 * @module
 */
export type * from './model.js';
export { check } from './check.js';
export type * from './search.js';
export { STRATEGIES } from './search.js';
export { StateCodec } from './state-codec.js';
export { ValueInterner } from './intern.js';
export { FingerprintSet } from './fingerprint-set.js';
export { seededRandom } from './random.js';
