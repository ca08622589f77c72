/**
 * A statechart as JSON: the tree of `toDirectedGraph` from `xstate/graph`, made plain (no parent
 * references or state-node objects, so it serializes without cycles), with readable labels.
 *
 * Each node is `{ id, type, children, edges }` and each edge `{ id, source, target, event, label }`,
 * where `id` is `toDirectedGraph`'s edge id (`<source>:<transition>:<target>`), `event` XState's
 * event type and `label` the readable `EVENT [guard] / actions` of the chart (see `chart.ts`). A
 * targetless transition's edge points back to its source, as in `toDirectedGraph`. Eventless
 * (`always`) transitions, which `toDirectedGraph` leaves out, are added after the others.
 *
 * @module
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';
import type { NodeKind } from './chart.js';
import { describeTransition } from './chart.js';

export interface JsonEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** XState's event type (`''` for an eventless transition). */
  readonly event: string;
  readonly label: string;
}

export interface JsonNode {
  readonly id: string;
  readonly type: NodeKind;
  readonly children: readonly JsonNode[];
  readonly edges: readonly JsonEdge[];
}

type DirectedGraph = ReturnType<typeof toDirectedGraph>;

const label = (t: AnyTransitionDefinition): string => describeTransition(t).label;

function plain(graph: DirectedGraph): JsonNode {
  const node: AnyStateNode = graph.stateNode;
  const edges: JsonEdge[] = graph.edges.map((e) => ({
    id: e.id,
    source: e.source.id,
    target: e.target.id,
    event: String(e.transition.eventType),
    label: label(e.transition),
  }));
  const indexBase = [...node.transitions.values()].flat().length;
  (node.always ?? []).forEach((t, i) => {
    const targets = t.target ?? [node];
    targets.forEach((target, j) =>
      edges.push({ id: `${node.id}:${indexBase + i}:${j}`, source: node.id, target: target.id, event: '', label: label(t) }),
    );
  });
  return { id: graph.id, type: node.type, children: graph.children.map(plain), edges };
}

/** The plain tree (see the module comment). */
export function toJsonGraph(machine: AnyStateMachine): JsonNode {
  // The root state node rather than the machine: `toDirectedGraph` tells them apart with `instanceof`,
  // which fails when the machine comes from another copy of XState (its ESM and CJS builds).
  return plain(toDirectedGraph(machine.root));
}

/** The plain tree as indented JSON text. */
export function toJson(machine: AnyStateMachine): string {
  return `${JSON.stringify(toJsonGraph(machine), null, 2)}\n`;
}
