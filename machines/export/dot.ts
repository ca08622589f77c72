/**
 * A statechart as a Graphviz DOT digraph.
 *
 * - An atomic state is a rounded box, with its entry and exit actions and its targetless
 *   transitions under its name (see {@link stateLines}); a final state has a double border; a history state is a circle `H` or `H*` with a dashed arrow to its default.
 * - A compound state is a cluster with a small black dot, its initial pseudo-state, pointing to its
 *   initial child; a parallel state is a bold cluster titled `(parallel)`, and each of its regions a
 *   dashed cluster.
 * - A transition from or to a compound state is drawn from or to the cluster's border, with
 *   `compound=true` and `ltail`/`lhead` on an invisible point inside the cluster. When the other end
 *   lies inside that cluster (a transition of a compound state into one of its own states), the
 *   edge starts or ends at that point inside the cluster instead.
 * - The root is a cluster only when it has transitions or entry/exit actions (see
 *   {@link rootIsDrawn}); otherwise the graph is titled with the machine's id.
 *
 * @module
 */
import type { AnyStateMachine } from 'xstate';
import type { Chart, ChartNode } from './chart.js';
import { chartOf, identifier, isWithin, rootIsDrawn, stateLines, uniqueIds } from './chart.js';

/** `s` escaped for a DOT double-quoted string (a newline becomes `\n`, a centred line break). */
const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n');

/** A DOT double-quoted string. */
export const quote = (s: string): string => `"${escape(s)}"`;

/** An attribute value already escaped (it may hold DOT's `\l` and `\n`). */
interface Escaped {
  readonly escaped: string;
}

/** A label of lines: the first centred, the others left-justified (`\l` ends each). */
const lines = (first: string, rest: readonly string[]): Escaped => ({
  escaped: rest.length === 0 ? escape(first) : `${escape(first)}\\n${rest.map((l) => `${escape(l)}\\l`).join('')}`,
});

const attrValue = (v: string | Escaped): string => (typeof v === 'string' ? quote(v) : `"${v.escaped}"`);

/** `[k=v, …]` with every value quoted. */
const attrs = (a: Record<string, string | Escaped | undefined>): string => {
  const set = Object.entries(a).filter((e): e is [string, string | Escaped] => e[1] !== undefined);
  return set.length === 0 ? '' : ` [${set.map(([k, v]) => `${k}=${attrValue(v)}`).join(', ')}]`;
};

export function toDot(machine: AnyStateMachine): string {
  return renderDot(chartOf(machine));
}

/** Render a {@link Chart} (see the module comment). */
export function renderDot(chart: Chart): string {
  const ids = uniqueIds(chart, identifier);
  const drawRoot = rootIsDrawn(chart);
  const node = (id: string): ChartNode => {
    const n = chart.nodes.get(id);
    if (n === undefined) throw new Error(`unknown state "${id}"`);
    return n;
  };
  const isCluster = (n: ChartNode): boolean => (n.kind === 'compound' || n.kind === 'parallel') && (n.parent !== undefined || drawRoot);
  const safe = (id: string): string => ids.get(id) ?? identifier(id);
  const clusterName = (id: string): string => `cluster_${safe(id)}`;
  const anchor = (id: string): string => `anchor:${safe(id)}`;
  const initialDot = (id: string): string => `initial:${safe(id)}`;

  // The clusters that an edge starts or ends at need their invisible anchor point.
  const anchored = new Set<string>();
  // Edges by their DOT endpoints: transitions between the same two ends share one arrow, with one
  // label line each (Graphviz overlaps the labels of parallel edges and of self-loops).
  interface Edge {
    readonly tail: string;
    readonly head: string;
    readonly labels: string[];
    readonly attributes: Record<string, string | undefined>;
  }
  const edges = new Map<string, Edge>();
  const edge = (from: string, to: string, label: string | undefined, extra: Record<string, string | undefined> = {}): void => {
    const src = node(from);
    const dst = node(to);
    const tail = isCluster(src) ? anchor(from) : safe(from);
    const head = isCluster(dst) ? anchor(to) : safe(to);
    if (isCluster(src)) anchored.add(from);
    if (isCluster(dst)) anchored.add(to);
    const attributes = {
      ltail: isCluster(src) && !isWithin(chart, to, from) ? clusterName(from) : undefined,
      lhead: isCluster(dst) && !isWithin(chart, from, to) ? clusterName(to) : undefined,
      ...extra,
    };
    const key = JSON.stringify([tail, head, attributes]);
    const existing: Edge = edges.get(key) ?? { tail, head, labels: [], attributes };
    if (label !== undefined) existing.labels.push(label);
    edges.set(key, existing);
  };
  const edgeFrom = (tail: string, to: string): void => {
    const dst = node(to);
    if (isCluster(dst)) anchored.add(to);
    edges.set(`initial ${tail} ${to}`, {
      tail,
      head: isCluster(dst) ? anchor(to) : safe(to),
      labels: [],
      attributes: { lhead: isCluster(dst) ? clusterName(to) : undefined },
    });
  };

  for (const t of chart.transitions) {
    // A targetless transition is a line inside its state.
    for (const target of t.targets) edge(t.source, target, t.label);
  }
  for (const n of chart.nodes.values()) {
    if (n.kind === 'compound' && isCluster(n)) for (const target of n.initial) edgeFrom(initialDot(n.id), target);
    if (n.kind === 'history') for (const target of n.initial) edge(n.id, target, undefined, { style: 'dashed' });
  }
  // A space either side keeps a label off its own and neighbouring arrows; several transitions on one
  // arrow are one left-justified line each.
  const edgeLabel = (labels: readonly string[]): string | Escaped | undefined =>
    labels.length <= 1 ? labels.map((l) => ` ${l} `)[0] : { escaped: labels.map((l) => `${escape(` ${l} `)}\\l`).join('') };
  const edgeLines = [...edges.values()].map(
    (e) =>
      `  ${quote(e.tail)} -> ${quote(e.head)}${attrs({ label: edgeLabel(e.labels), ...e.attributes })};`,
  );

  const declare = (n: ChartNode, indent: string): string[] => {
    const inside = stateLines(chart, n);
    if (isCluster(n)) {
      const heading = n.kind === 'parallel' ? `${n.key} (parallel)` : n.key;
      const style = ['rounded', ...(n.kind === 'parallel' ? ['bold'] : []), ...(n.region ? ['dashed'] : [])].join(',');
      const inner = `${indent}  `;
      return [
        `${indent}subgraph ${quote(clusterName(n.id))} {`,
        `${inner}label=${attrValue(lines(heading, inside))};`,
        `${inner}style=${quote(style)};`,
        ...(anchored.has(n.id) ? [`${inner}${quote(anchor(n.id))}${attrs({ shape: 'point', style: 'invis', width: '0', height: '0', label: '' })};`] : []),
        ...(n.kind === 'compound' && n.initial.length > 0 ? [`${inner}${quote(initialDot(n.id))}${attrs({ shape: 'point', width: '0.15', label: '' })};`] : []),
        // The anchor above the initial dot: transitions into the cluster's own states leave from its top.
        ...(anchored.has(n.id) && n.kind === 'compound' && n.initial.length > 0
          ? [`${inner}${quote(anchor(n.id))} -> ${quote(initialDot(n.id))}${attrs({ style: 'invis' })};`]
          : []),
        ...n.children.flatMap((c) => declare(c, inner)),
        `${indent}}`,
      ];
    }
    if (n.kind === 'compound' || n.kind === 'parallel') {
      // The undrawn root: its children at the top level.
      return [
        ...(n.initial.length > 0 ? [`${indent}${quote(initialDot(n.id))}${attrs({ shape: 'point', width: '0.15', label: '' })};`] : []),
        ...n.children.flatMap((c) => declare(c, indent)),
      ];
    }
    const attributes =
      n.kind === 'history'
        ? { shape: 'circle', label: n.history === 'deep' ? 'H*' : 'H', width: '0.3', fixedsize: 'true' }
        : { label: lines(n.key, inside), peripheries: n.kind === 'final' ? '2' : undefined, style: n.region ? 'rounded,dashed' : undefined };
    return [`${indent}${quote(safe(n.id))}${attrs(attributes)};`];
  };

  // The undrawn root's initial dot: edges from it are made here, since `isCluster(root)` is false.
  if (!drawRoot && chart.root.kind === 'compound') for (const target of chart.root.initial) edgeFrom(initialDot(chart.root.id), target);

  const declarations = declare(chart.root, '  ');
  return [
    `digraph ${quote(chart.id)} {`,
    '  compound=true;',
    '  fontname="Helvetica";',
    '  nodesep="0.6";',
    ...(drawRoot ? [] : [`  label=${quote(chart.id)};`, '  labelloc="t";']),
    '  node [shape="box", style="rounded", fontname="Helvetica", fontsize="11"];',
    '  edge [fontname="Helvetica", fontsize="10"];',
    ...declarations,
    ...edgeLines,
    '}',
    '',
  ].join('\n');
}
