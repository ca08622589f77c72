/**
 * The search strategies on random small directed graphs, against a reference breadth-first search
 * written here: BFS finds a violation exactly when a bad node is reachable, with a shortest trace;
 * DFS finds one exactly when reachable; every trace of every strategy is a real path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../checker/check.js';
import type { Model, StepInvariant } from '../checker/model.js';
import type { CheckResult, Strategy } from '../checker/search.js';

interface Graph {
  readonly size: number;
  /** Edges in order; duplicates and self-loops allowed. */
  readonly edges: readonly (readonly [from: number, to: number])[];
  /** Initial nodes (duplicates allowed). */
  readonly initial: readonly number[];
  readonly bad: ReadonlySet<number>;
}

interface NodeState {
  readonly node: number;
}
type GraphAction = { readonly kind: 'edge'; readonly to: number } | { readonly kind: 'blocked' };

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 30 }).chain((size) =>
  fc.record({
    size: fc.constant(size),
    edges: fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1)), { maxLength: size * 3 }),
    initial: fc.array(fc.nat(size - 1), { minLength: 1, maxLength: 4 }),
    bad: fc.uniqueArray(fc.nat(size - 1), { maxLength: Math.min(size, 4) }).map((b) => new Set(b)),
  }),
);

const NO_DESCENT: StepInvariant<NodeState, GraphAction> = {
  id: 'NoDescent',
  description: 'never take an edge from a higher to a lower node number',
  holds: (before, _action, after) => after.node >= before.node,
};

/**
 * The graph as a model: one action per out-edge (in edge order), plus an always-disabled action.
 * A self-loop returns the state itself; other edges build a fresh state object.
 */
function graphModel(g: Graph, stepInvariants: readonly StepInvariant<NodeState, GraphAction>[] = []): Model<NodeState, GraphAction> {
  const out: GraphAction[][] = Array.from({ length: g.size }, () => []);
  for (const [from, to] of g.edges) out[from]!.push({ kind: 'edge', to });
  const blocked: GraphAction = { kind: 'blocked' };
  return {
    actionKinds: ['edge', 'blocked'],
    invariants: [{ id: 'NotBad', description: 'the node is not bad', holds: (s) => !g.bad.has(s.node) }],
    stepInvariants,
    init: () => g.initial.map((node) => ({ node })),
    actions: (s, actions) => {
      actions.push(blocked, ...out[s.node]!);
    },
    next: (s, a) => (a.kind === 'blocked' ? undefined : a.to === s.node ? s : { node: a.to }),
    describe: (a) => (a.kind === 'edge' ? `->${a.to}` : 'blocked'),
    view: (s) => ({ node: s.node }),
  };
}

/** Shortest distances from the initial nodes (-1: unreachable). */
function distances(g: Graph): number[] {
  const dist = new Array<number>(g.size).fill(-1);
  const queue: number[] = [];
  for (const n of g.initial) {
    if (dist[n] === -1) {
      dist[n] = 0;
      queue.push(n);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const u = queue[i]!;
    for (const [from, to] of g.edges) {
      if (from === u && dist[to] === -1) {
        dist[to] = dist[u]! + 1;
        queue.push(to);
      }
    }
  }
  return dist;
}

const reachable = (dist: readonly number[]): number[] => dist.flatMap((d, n) => (d >= 0 ? [n] : []));

/** Length of a shortest path to a bad node, or -1. */
function shortestToBad(g: Graph, dist: readonly number[]): number {
  let best = -1;
  for (const n of g.bad) if (dist[n]! >= 0 && (best < 0 || dist[n]! < best)) best = dist[n]!;
  return best;
}

/** Asserts the trace of `result` is a path of `g` from an initial node, returning its nodes. */
function expectValidPath(g: Graph, result: CheckResult<NodeState, GraphAction>): number[] {
  const steps = result.violation!.steps;
  expect(steps.length).toBeGreaterThan(0);
  expect(steps[0]!.action).toBeNull();
  expect(g.initial).toContain(steps[0]!.state.node);
  for (let i = 1; i < steps.length; i++) {
    const from = steps[i - 1]!.state.node;
    const action = steps[i]!.action;
    expect(action?.kind).toBe('edge');
    const to = (action as { to: number }).to;
    expect(g.edges.some(([f, t]) => f === from && t === to), `edge ${from}->${to}`).toBe(true);
    expect(steps[i]!.state.node).toBe(to);
  }
  return steps.map((s) => s.state.node);
}

/** Out-edges (with multiplicity, self-loops included) of the reachable nodes. */
const reachableEdges = (g: Graph, dist: readonly number[]): number => g.edges.filter(([from]) => dist[from]! >= 0).length;

describe('BFS on random graphs', () => {
  it('finds a violation iff a bad node is reachable, with a shortest valid trace', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const dist = distances(g);
        const shortest = shortestToBad(g, dist);
        const result = check(graphModel(g), { strategy: 'bfs' });
        if (shortest < 0) {
          expect(result.result).toBe('pass');
          expect(result.violation).toBeNull();
          expect(result.incompleteReason).toBeNull();
          expect(result.distinctStates).toBe(reachable(dist).length);
          expect(result.transitions).toBe(reachableEdges(g, dist));
          expect(result.depth).toBe(Math.max(...dist));
          expect(result.coverage).toEqual([
            { kind: 'edge', fired: reachableEdges(g, dist) },
            { kind: 'blocked', fired: 0 },
          ]);
          expect(result.neverFired).toContain('blocked');
        } else {
          expect(result.result).toBe('violation');
          expect(result.incompleteReason).toBeNull();
          expect(result.violation!.invariant).toBe('NotBad');
          expect(result.violation!.kind).toBe('state');
          const nodes = expectValidPath(g, result);
          expect(nodes.length - 1).toBe(shortest);
          expect(g.bad.has(nodes[nodes.length - 1]!)).toBe(true);
          expect(nodes.slice(0, -1).some((n) => g.bad.has(n))).toBe(false);
          expect(result.distinctStates).toBeLessThanOrEqual(reachable(dist).length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reports a step invariant with kind "step" and a shortest trace ending with the offending edge', () => {
    fc.assert(
      fc.property(graphArb, (graph) => {
        const g = { ...graph, bad: new Set<number>() };
        const dist = distances(g);
        // A shortest trace ending with a descending edge from a reachable node.
        let shortest = -1;
        for (const [from, to] of g.edges) {
          if (to < from && dist[from]! >= 0 && (shortest < 0 || dist[from]! + 1 < shortest)) shortest = dist[from]! + 1;
        }
        const result = check(graphModel(g, [NO_DESCENT]), { strategy: 'bfs' });
        if (shortest < 0) {
          expect(result.result).toBe('pass');
          expect(result.distinctStates).toBe(reachable(dist).length);
          return;
        }
        expect(result.result).toBe('violation');
        expect(result.violation!.invariant).toBe('NoDescent');
        expect(result.violation!.kind).toBe('step');
        const nodes = expectValidPath(g, result);
        expect(nodes.length - 1).toBe(shortest);
        // Only the last step descends.
        for (let i = 1; i < nodes.length - 1; i++) expect(nodes[i]!).toBeGreaterThanOrEqual(nodes[i - 1]!);
        expect(nodes[nodes.length - 1]!).toBeLessThan(nodes[nodes.length - 2]!);
      }),
      { numRuns: 500 },
    );
  });

  it('a bad initial node is a trace of length 0', () => {
    const g: Graph = { size: 3, edges: [[0, 1], [1, 2]], initial: [0, 2], bad: new Set([2]) };
    const result = check(graphModel(g));
    expect(result.result).toBe('violation');
    expect(result.violation!.steps.map((s) => s.state.node)).toEqual([2]);
    expect(result.depth).toBe(0);
  });
});

describe('DFS on random graphs', () => {
  it('finds a violation iff a bad node is reachable, with a valid trace', () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const dist = distances(g);
        const shortest = shortestToBad(g, dist);
        const result = check(graphModel(g), { strategy: 'dfs' });
        if (shortest < 0) {
          expect(result.result).toBe('pass');
          expect(result.distinctStates).toBe(reachable(dist).length);
          expect(result.transitions).toBe(reachableEdges(g, dist));
        } else {
          expect(result.result).toBe('violation');
          expect(result.violation!.kind).toBe('state');
          const nodes = expectValidPath(g, result);
          expect(nodes.length - 1).toBeGreaterThanOrEqual(shortest);
          expect(g.bad.has(nodes[nodes.length - 1]!)).toBe(true);
          expect(nodes.slice(0, -1).some((n) => g.bad.has(n))).toBe(false);
          // A DFS trace is a path in the DFS tree: no node twice.
          expect(new Set(nodes).size).toBe(nodes.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('finds a step violation iff a descending edge is reachable, with a valid trace ending with it', () => {
    fc.assert(
      fc.property(graphArb, (graph) => {
        const g = { ...graph, bad: new Set<number>() };
        const dist = distances(g);
        const descends = g.edges.some(([from, to]) => to < from && dist[from]! >= 0);
        const result = check(graphModel(g, [NO_DESCENT]), { strategy: 'dfs' });
        expect(result.result).toBe(descends ? 'violation' : 'pass');
        if (!descends) return;
        expect(result.violation!.kind).toBe('step');
        const nodes = expectValidPath(g, result);
        expect(nodes[nodes.length - 1]!).toBeLessThan(nodes[nodes.length - 2]!);
      }),
      { numRuns: 300 },
    );
  });
});

describe('random simulation on random graphs', () => {
  it('reports only real violations, with valid traces; otherwise incomplete', () => {
    fc.assert(
      fc.property(graphArb, fc.integer(), fc.boolean(), (graph, seed, stepInvariant) => {
        const g = stepInvariant ? { ...graph, bad: new Set<number>() } : graph;
        const dist = distances(g);
        const result = check(graphModel(g, stepInvariant ? [NO_DESCENT] : []), { strategy: 'random', seed, walks: 20, maxDepth: 12 });
        expect(result.seed).toBe(seed);
        expect(result.distinctStates).toBeLessThanOrEqual(reachable(dist).length);
        expect(result.depth).toBeLessThanOrEqual(12);
        if (result.result !== 'violation') {
          expect(result.result).toBe('incomplete');
          expect(result.incompleteReason).toBe('simulation');
          return;
        }
        const nodes = expectValidPath(g, result);
        expect(nodes.length - 1).toBeLessThanOrEqual(12);
        if (stepInvariant) {
          expect(result.violation!.kind).toBe('step');
          expect(nodes[nodes.length - 1]!).toBeLessThan(nodes[nodes.length - 2]!);
        } else {
          expect(result.violation!.kind).toBe('state');
          expect(g.bad.has(nodes[nodes.length - 1]!)).toBe(true);
          expect(shortestToBad(g, dist)).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('finds a bad node at the end of the only path', () => {
    const k = 8;
    const g: Graph = { size: k + 1, edges: Array.from({ length: k }, (_, i) => [i, i + 1] as const), initial: [0], bad: new Set([k]) };
    for (const strategy of ['bfs', 'dfs', 'random'] as const satisfies readonly Strategy[]) {
      const result = check(graphModel(g), { strategy, walks: 1 });
      expect(result.result, strategy).toBe('violation');
      expect(result.violation!.steps.map((s) => s.state.node)).toEqual(Array.from({ length: k + 1 }, (_, i) => i));
      expect(result.depth).toBe(k);
    }
  });
});
