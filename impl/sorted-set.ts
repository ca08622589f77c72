/**
 * Sets as sorted, duplicate-free, immutable arrays: the canonical form the checker needs (two sets
 * with the same members are equal arrays, whatever order they were built in). Operations return
 * the same array when nothing changes, so unchanged sets keep their identity and cost the checker
 * nothing.
 *
 * @module
 */

export type Compare<T> = (a: T, b: T) => number;

/** Natural order of numbers and strings. */
export function compareNatural<T extends number | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of `item` in `set`, or `-(insertion point) - 1` when absent. */
export function setIndexOf<T>(set: readonly T[], item: T, compare: Compare<T>): number {
  let lo = 0;
  let hi = set.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compare(set[mid]!, item);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

export function setHas<T>(set: readonly T[], item: T, compare: Compare<T>): boolean {
  return setIndexOf(set, item, compare) >= 0;
}

/** `set ∪ {item}`; the same array when `item` is already a member. */
export function setAdd<T>(set: readonly T[], item: T, compare: Compare<T>): readonly T[] {
  const i = setIndexOf(set, item, compare);
  if (i >= 0) return set;
  const at = -i - 1;
  // Built with push: a preallocated `new Array(n)` would be a slower "holey" array in V8.
  const result: T[] = [];
  for (let k = 0; k < at; k++) result.push(set[k]!);
  result.push(item);
  for (let k = at; k < set.length; k++) result.push(set[k]!);
  return result;
}

/** `set \ {item}`; the same array when `item` is not a member. */
export function setDelete<T>(set: readonly T[], item: T, compare: Compare<T>): readonly T[] {
  const i = setIndexOf(set, item, compare);
  if (i < 0) return set;
  return [...set.slice(0, i), ...set.slice(i + 1)];
}

/** A set from any array: sorted, duplicates removed. */
export function setFrom<T>(items: readonly T[], compare: Compare<T>): readonly T[] {
  const sorted = [...items].sort(compare);
  return sorted.filter((x, i) => i === 0 || compare(sorted[i - 1]!, x) !== 0);
}

/** `array` with `array[index]` replaced by `value`; the same array when nothing changes. */
export function replaceAt<T>(array: readonly T[], index: number, value: T): readonly T[] {
  if (array[index] === value) return array;
  const copy = array.slice();
  copy[index] = value;
  return copy;
}
