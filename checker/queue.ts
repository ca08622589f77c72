/**
 * A FIFO of states awaiting expansion, each with its component vector, number and depth, stored in
 * fixed-size segments so that memory is released as the search advances.
 *
 * @module
 */

const SEGMENT = 1 << 15;

class Segment<S> {
  readonly states: (S | undefined)[] = new Array<S | undefined>(SEGMENT);
  readonly vectors: Int32Array;
  readonly numbers = new Int32Array(SEGMENT);
  readonly depths = new Int32Array(SEGMENT);
  next: Segment<S> | undefined;
  constructor(width: number) {
    this.vectors = new Int32Array(SEGMENT * width);
  }
}

export class StateQueue<S> {
  private head: Segment<S>;
  private tail: Segment<S>;
  private headIndex = 0;
  private tailIndex = 0;
  private count = 0;

  constructor(private readonly width: number) {
    this.head = this.tail = new Segment<S>(width);
  }

  get size(): number {
    return this.count;
  }

  /** Append a state; its vector is copied from `vector[offset ..]`. */
  push(state: S, vector: Int32Array, offset: number, number: number, depth: number): void {
    if (this.tailIndex === SEGMENT) {
      const segment = new Segment<S>(this.width);
      this.tail.next = segment;
      this.tail = segment;
      this.tailIndex = 0;
    }
    const t = this.tail;
    const i = this.tailIndex++;
    t.states[i] = state;
    t.numbers[i] = number;
    t.depths[i] = depth;
    const w = this.width;
    const vectors = t.vectors;
    // A plain loop: `set(subarray(...))` would allocate a view per state.
    for (let k = 0, at = i * w; k < w; k++) vectors[at + k] = vector[offset + k]!;
    this.count++;
  }

  /**
   * Remove the oldest entry and expose it through the `current*` fields (valid until the next
   * `shift`). Returns `false` when empty.
   */
  shift(): boolean {
    if (this.count === 0) return false;
    if (this.headIndex === SEGMENT) {
      this.head = this.head.next!;
      this.headIndex = 0;
    }
    const h = this.head;
    const i = this.headIndex++;
    this.currentState = h.states[i]!;
    h.states[i] = undefined;
    this.currentNumber = h.numbers[i]!;
    this.currentDepth = h.depths[i]!;
    this.currentVectors = h.vectors;
    this.currentOffset = i * this.width;
    this.count--;
    return true;
  }

  currentState!: S;
  currentNumber = 0;
  currentDepth = 0;
  currentVectors!: Int32Array;
  currentOffset = 0;
}
