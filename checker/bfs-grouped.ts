/**
 * Breadth-first search over memoised group transitions, for models that declare action groups
 * (`Model.groups`) and have no step invariants. It explores exactly what `bfs.ts` explores, in the
 * same order, with the same verdicts, counts and traces; only how a transition is computed differs.
 *
 * Expanding a state is, per group, one lookup of the ids in the group's footprint slots in its
 * {@link GroupMemo}: the memo gives each transition's action kind and the ids its successor has in
 * those slots. The successor's fingerprint follows from the parent's by XOR-ing the Zobrist values
 * of the slots that changed, and only a new state is built (as a vector, then decoded once for its
 * invariants). The model's `actions` and `next` run only when a group meets a footprint
 * combination for the first time, on a state decoded for that purpose.
 *
 * @module
 */
import { GroupMemo, HEADER, STRIDE } from './group-memo.js';
import type { Action, ActionGroup, Model, State } from './model.js';
import { VectorQueue } from './queue.js';
import type { CheckOptions, CheckResult, Found } from './search.js';
import { SearchRun } from './search.js';
import { zobristHigh, zobristLow } from './state-codec.js';
import { rebuildCounterexample } from './trace.js';
import { NO_PARENT } from './visited.js';

/**
 * Which expansions are also done through `actions` and `next`, and compared: one in
 * {@link SPOT_CHECK_EARLY} of the first {@link EARLY} (the first included), when most memo entries
 * are learned, then one in {@link SPOT_CHECK_LATE}.
 */
const EARLY = 1 << 13;
const SPOT_CHECK_EARLY = 1 << 6;
const SPOT_CHECK_LATE = 1 << 12;

/** The bit of a vector slot in a mask of changed slots; every bit for slots past 30. */
function slotBit(slot: number): number {
  return slot < 31 ? 1 << slot : -1;
}

/** Thrown when a model's groups disagree with its own `actions` and `next`. */
export class GroupContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GroupContractError';
  }
}

export function groupedBreadthFirst<S extends State, A extends Action>(
  model: Model<S, A>,
  groups: readonly ActionGroup<S, A>[],
  options: CheckOptions,
): CheckResult<S, A> {
  const run = new SearchRun(model, options);
  const { codec, visited } = run;
  const width = codec.width;
  const queue = new VectorQueue(width, groups.length);
  const child = new Int32Array(width);
  const maxDepth = options.maxDepth ?? Infinity;
  const memos = groups.map((g) => new GroupMemo([...new Set(g.footprint.flatMap((ref) => codec.slotsOf(ref)))].sort((a, b) => a - b)));
  const inFootprint = memos.map((memo) => {
    const mask = new Uint8Array(width);
    for (const slot of memo.slots) mask[slot] = 1;
    return mask;
  });
  const groupCount = memos.length;
  // Per group, the vector slots of its footprint as a bit mask (all bits when the vector is too
  // wide for one: then nothing is inherited).
  const footprintBits = Int32Array.from(memos, (memo) => memo.slots.reduce((bits, slot) => bits | slotBit(slot), 0));
  /** The memo offsets of the state being expanded, and those a new state inherits. */
  const entries = new Int32Array(groupCount);
  const childEntries = new Int32Array(groupCount).fill(-1);
  let found: Found<S, A> | undefined;

  for (const s of run.initialStates) {
    codec.encode(s, child, 0);
    codec.fingerprint(child, 0);
    if (run.atStateLimit(codec.hi, codec.lo)) break;
    const n = visited.add(codec.hi, codec.lo, NO_PARENT);
    if (n < 0) continue;
    codec.checkShape(s);
    const broken = run.brokenInvariant(s);
    if (broken !== undefined) {
      found = { invariant: broken, kind: 'state', stateNumber: n };
      break;
    }
    queue.push(child, 0, childEntries);
  }

  const actions: A[] = [];
  const learned: number[] = [];

  /**
   * Run group `g`'s actions on `state` (whose vector is at `vectors[offset ..]`), memoise their
   * transitions and return their offset in the memo's pool. Call right after a `find` that missed.
   */
  const learn = (g: number, state: S, vectors: Int32Array, offset: number): number => {
    const memo = memos[g]!;
    const mask = inFootprint[g]!;
    const slots = memo.slots;
    while (actions.length > 0) actions.pop();
    while (learned.length > 0) learned.pop();
    groups[g]!.actions(state, actions);
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i]!;
      const next = model.next(state, action);
      if (next === undefined) continue;
      const kind = run.kindOf(action);
      if (next === state) {
        learned.push(kind << 1, 0, 0, 0);
        for (let j = 0; j < slots.length; j++) learned.push(vectors[offset + slots[j]!]!);
        continue;
      }
      codec.checkShape(next);
      codec.encodeAndFingerprint(next, child, 0, state, vectors, offset, 0, 0);
      for (let slot = 0; slot < width; slot++) {
        if (mask[slot] === 0 && child[slot] !== vectors[offset + slot]) {
          const field = codec.layout.filter((f) => f.offset <= slot).pop()!.field;
          throw new GroupContractError(
            `${model.describe(action)} (group ${g}) changed component "${field}" (vector slot ${slot}), which is outside its group's footprint`,
          );
        }
      }
      // The fingerprint's change is fixed by the ids before (the key) and after: kept with them.
      let dLo = 0;
      let dHi = 0;
      let changed = 0;
      let changedSlots = 0;
      for (let j = 0; j < slots.length; j++) {
        const slot = slots[j]!;
        const before = vectors[offset + slot]!;
        const after = child[slot]!;
        if (after !== before) {
          dLo ^= zobristLow(slot, before) ^ zobristLow(slot, after);
          dHi ^= zobristHigh(slot, before) ^ zobristHigh(slot, after);
          changed = 1;
          changedSlots |= slotBit(slot);
        }
      }
      learned.push((kind << 1) | changed, dLo, dHi, changedSlots);
      for (let j = 0; j < slots.length; j++) learned.push(child[slots[j]!]!);
    }
    return memo.insert(vectors, offset, learned);
  };

  /** The transitions of the state at `vectors[offset ..]` as labels, through the memo or through the model. */
  const spotCheck = (state: S, vectors: Int32Array, offset: number, hi: number, lo: number): void => {
    const viaModel: string[] = [];
    while (actions.length > 0) actions.pop();
    model.actions(state, actions);
    const all = actions.slice();
    for (const action of all) {
      const next = model.next(state, action);
      if (next === undefined) continue;
      let label = `${action.kind} self-loop`;
      if (next !== state) {
        codec.encodeAndFingerprint(next, child, 0, state, vectors, offset, hi, lo);
        if (codec.hi !== hi >>> 0 || codec.lo !== lo >>> 0) label = `${action.kind} → ${codec.hi}:${codec.lo}`;
      }
      viaModel.push(label);
    }
    const viaMemo: string[] = [];
    for (let g = 0; g < memos.length; g++) {
      const memo = memos[g]!;
      let at = memo.find(vectors, offset);
      if (at < 0) at = learn(g, state, vectors, offset);
      const { pool, k } = memo;
      for (let t = 0, p = at + HEADER + pool[at + 1]! * (k + STRIDE); t < pool[at]!; t++, p += k + STRIDE) {
        const kind = run.kindName(pool[p]! >> 1);
        const changed = (pool[p]! & 1) === 1;
        viaMemo.push(changed ? `${kind} → ${(hi ^ pool[p + 2]!) >>> 0}:${(lo ^ pool[p + 1]!) >>> 0}` : `${kind} self-loop`);
      }
    }
    if (viaModel.join('\n') !== viaMemo.join('\n')) {
      throw new GroupContractError(
        `the model's action groups disagree with its actions and next in state ${JSON.stringify(model.view(state))}: ` +
          `actions/next give [${viaModel.join(', ')}], the groups give [${viaMemo.join(', ')}]`,
      );
    }
  };

  /**
   * Coverage: a transition is not counted by kind when it fires; each entry counts the states
   * expanded through it (`memo.uses`, and its `n` transitions are added to `run.transitions`), and
   * its transitions' kinds are counted that many times at the end. When the search stops inside an
   * entry, the transitions of that entry up to and including the one it stopped at are counted one
   * by one, as the plain loop would have counted them.
   */
  const countCoverage = (): void => {
    for (const memo of memos) {
      const { pool, uses } = memo;
      const record = memo.k + STRIDE;
      for (let e = 0; e < memo.size; e++) {
        const count = uses[e]!;
        if (count === 0) continue;
        const at = memo.entryAt(e);
        for (let t = 0, p = at + HEADER + pool[at + 1]! * record; t < pool[at]!; t++, p += record) run.coverKind(pool[p]! >> 1, count);
      }
    }
  };
  const countUpTo = (memo: GroupMemo, at: number, last: number): void => {
    const record = memo.k + STRIDE;
    const pool = memo.pool;
    for (let t = 0, p = at + HEADER + pool[at + 1]! * record; t <= last; t++, p += record) run.firedKind(pool[p]! >> 1);
  };

  let expanded = 0;
  // States are numbered in the order they are enqueued, so the one taken out now is number
  // `expanded`; a level's states are numbered consecutively, and when the first state of the next
  // level is taken out, every state of the level after it has been found.
  let depth = 0;
  let levelEnd = visited.size;
  search: while (found === undefined && queue.shift()) {
    const number = expanded;
    if (number === levelEnd) {
      depth++;
      levelEnd = visited.size;
    }
    const vectors = queue.currentVectors;
    const offset = queue.currentOffset;
    const parentHi = visited.hiOf(number);
    const parentLo = visited.loOf(number);
    if (depth > run.depth) run.depth = depth;
    if ((++expanded & 0xff) === 0 && !run.tick(queue.size)) break;
    // Decoded only when a group meets new ids, or for a spot check.
    let state: S | undefined;
    if ((expanded & ((expanded <= EARLY ? SPOT_CHECK_EARLY : SPOT_CHECK_LATE) - 1)) === 1) {
      state = codec.decode(vectors, offset) as S;
      spotCheck(state, vectors, offset, parentHi, parentLo);
    }
    // Each group's transitions from here: inherited from the parent when the step that made this
    // state changed nothing in the group's footprint, looked up (or learned) otherwise.
    const inherited = queue.currentExtras;
    const inheritedAt = queue.currentExtraOffset;
    for (let g = 0; g < groupCount; g++) {
      let at = inherited[inheritedAt + g]!;
      if (at < 0) {
        const memo = memos[g]!;
        at = memo.find(vectors, offset);
        if (at < 0) {
          if (state === undefined) state = codec.decode(vectors, offset) as S;
          at = learn(g, state, vectors, offset);
        }
      }
      entries[g] = at;
    }
    for (let g = 0; g < groupCount; g++) {
      const memo = memos[g]!;
      const at = entries[g]!;
      const pool = memo.pool;
      const k = memo.k;
      const slots = memo.slots;
      const record = k + STRIDE;
      const n = pool[at]!;
      // Only the transitions whose successor differs from the parent (the self-loops are counted
      // in coverage through the entry's uses).
      const c = pool[at + 1]!;
      for (let t = 0, p = at + HEADER; t < c; t++, p += record) {
        const lo = (parentLo ^ pool[p + 1]!) >>> 0;
        const hi = (parentHi ^ pool[p + 2]!) >>> 0;
        if (depth >= maxDepth) {
          // Not expanded beyond the bound: the search is incomplete if this would be a new state.
          if (!visited.has(hi, lo)) run.incompleteReason = 'max-depth';
          continue;
        }
        if (run.atStateLimit(hi, lo)) {
          countUpTo(memo, at, pool[p]!);
          break search;
        }
        const m = visited.add(hi, lo, number);
        if (m < 0) continue;
        for (let i = 0; i < width; i++) child[i] = vectors[offset + i]!;
        for (let i = 0; i < k; i++) child[slots[i]!] = pool[p + STRIDE + i]!;
        const next = codec.decode(child, 0) as S;
        const broken = run.brokenInvariant(next);
        if (broken !== undefined) {
          if (depth + 1 > run.depth) run.depth = depth + 1;
          found = { invariant: broken, kind: 'state', stateNumber: m };
          countUpTo(memo, at, pool[p]!);
          break search;
        }
        const changedSlots = pool[p + 3]!;
        for (let h = 0; h < groupCount; h++) childEntries[h] = (changedSlots & footprintBits[h]!) === 0 ? entries[h]! : -1;
        queue.push(child, 0, childEntries);
      }
      memo.uses[pool[at + 2]!]!++;
      run.transitions += n;
    }
  }
  countCoverage();
  return run.finish(found, (f) => rebuildCounterexample(model, codec, visited, f));
}
