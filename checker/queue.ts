/**
 * A FIFO of states awaiting expansion, stored as their component vectors, in fixed-size segments
 * of typed arrays so that memory is released as the search advances. States themselves are
 * rebuilt from the vectors when they are expanded.
 *
 * Nothing else of a state is kept here: breadth-first search numbers states in the order it
 * enqueues them, so the k-th vector taken out is state number k, whose fingerprint the visited
 * set holds, and whose depth follows from where each level's numbers end.
 *
 * @module
 */

const SEGMENT = 1 << 15;
/**
 * Entries in the first segment. It is small so that the paths that link a new segment and leave
 * a passed one run within the first few hundred states, before V8 optimises the search loop: a
 * path first taken after that throws the optimised loop away, to be compiled again.
 */
const FIRST_SEGMENT = 1 << 8;

class Segment {
  readonly vectors: Int32Array;
  /** Per entry, `extraWidth` integers its producer chose to keep with it (see {@link VectorQueue}). */
  readonly extras: Int32Array;
  next: Segment | undefined;
  constructor(
    width: number,
    extraWidth: number,
    readonly capacity: number,
  ) {
    this.vectors = new Int32Array(capacity * width);
    this.extras = new Int32Array(capacity * extraWidth);
  }
}

export class VectorQueue {
  private head: Segment;
  private tail: Segment;
  private headIndex = 0;
  private tailIndex = 0;
  private count = 0;
  /**
   * The last segment the head left, kept for the tail to reuse (when it is full-size); an empty
   * segment when there is none, so that this field always holds a segment.
   */
  private spare: Segment;
  private readonly none: Segment;
  /** The entry removed by the last {@link shift}: its vector is at `currentVectors[currentOffset ..]`. */
  currentVectors: Int32Array;
  currentOffset = 0;
  /** The extra integers of the entry removed by the last {@link shift}, at `currentExtras[currentExtraOffset ..]`. */
  currentExtras: Int32Array;
  currentExtraOffset = 0;

  /**
   * A queue of vectors of `width` integers; each entry may also carry `extraWidth` more integers
   * (grouped breadth-first search keeps each state's inherited memo offsets there).
   */
  constructor(
    private readonly width: number,
    private readonly extraWidth = 0,
  ) {
    this.head = this.tail = new Segment(width, extraWidth, FIRST_SEGMENT);
    this.spare = this.none = new Segment(width, extraWidth, 0);
    this.currentVectors = this.head.vectors;
    this.currentExtras = this.head.extras;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Append a vector copied from `vector[offset ..]`, and the queue's `extraWidth` extra integers
   * from `extras` (when it has any).
   */
  push(vector: Int32Array, offset: number, extras?: Int32Array): void {
    if (this.tailIndex === this.tail.capacity) {
      // A segment the head has passed is reused: no fresh (zeroed, page-faulted) memory per segment.
      const spare = this.spare;
      const segment = spare.capacity === SEGMENT ? spare : new Segment(this.width, this.extraWidth, SEGMENT);
      this.spare = this.none;
      segment.next = undefined;
      this.tail.next = segment;
      this.tail = segment;
      this.tailIndex = 0;
    }
    const t = this.tail;
    const i = this.tailIndex++;
    const w = this.width;
    const vectors = t.vectors;
    // A plain loop: `set(subarray(...))` would allocate a view per state.
    for (let k = 0, at = i * w; k < w; k++) vectors[at + k] = vector[offset + k]!;
    const x = this.extraWidth;
    if (x > 0) for (let k = 0, at = i * x; k < x; k++) t.extras[at + k] = extras![k]!;
    this.count++;
  }

  /** Remove the oldest entry into the `current*` fields. Returns `false` when empty. */
  shift(): boolean {
    if (this.count === 0) return false;
    if (this.headIndex === this.head.capacity) {
      const passed = this.head;
      this.head = passed.next!;
      this.headIndex = 0;
      this.spare = passed; // reused by the tail unless it is the small first one
    }
    const h = this.head;
    const i = this.headIndex++;
    this.currentVectors = h.vectors;
    this.currentOffset = i * this.width;
    this.currentExtras = h.extras;
    this.currentExtraOffset = i * this.extraWidth;
    this.count--;
    return true;
  }
}
