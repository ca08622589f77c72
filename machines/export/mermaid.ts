/**
 * A statechart as a Mermaid `stateDiagram-v2`.
 *
 * - Every state is declared `state "key" as id`, with an id made safe for Mermaid from XState's id
 *   (`rm.working` → `rm_working`). Its entry and exit actions and its targetless transitions (see
 *   {@link stateLines}) are description lines of an atomic state, and part of the title of a
 *   compound one (Mermaid allows no description on those).
 * - Compound states are `state … { … }` blocks with `[*] --> initial`; a parallel state's regions
 *   are blocks separated by `--`; a final state has an arrow to `[*]`.
 * - A transition between two states of one parent (or a self-transition) is written in that
 *   parent's block; any other transition at the top level, so that Mermaid keeps every state in
 *   the block that declares it. A history state is `H` or `H*`, with an arrow to its default.
 * - The root is drawn as a state only when it has transitions (root-level `on`) or entry/exit
 *   actions (see {@link rootIsDrawn}).
 *
 * Mermaid's grammar ends a transition's label at `:` or `;`, so those read as `：` and `；`.
 *
 * @module
 */
import type { AnyStateMachine } from 'xstate';
import type { Chart, ChartNode } from './chart.js';
import { chartOf, identifier, rootIsDrawn, stateLines, uniqueIds } from './chart.js';

/**
 * Words that start a statement in Mermaid's state grammar (some of them as a mere prefix, since its
 * lexer is case-insensitive and takes the first rule that matches): ids starting with one get `s_`.
 */
const KEYWORD_PREFIX = /^(default|class|state|note|scale|direction|hide|acctitle|accdescr)/i;

/**
 * A Mermaid id: {@link identifier} of XState's id, prefixed after a keyword, and with `_` appended
 * when it ends `_start` or `_end`, the ids Mermaid gives the `[*]` of a block (`<block>_start`).
 */
const mermaidId = (id: string): string => {
  const safe = identifier(id);
  const prefixed = KEYWORD_PREFIX.test(safe) ? `s_${safe}` : safe;
  return /_(start|end)$/.test(prefixed) ? `${prefixed}_` : prefixed;
};

/** A transition label or description: no `:`, `;` (they end it), `%%` (a comment) or newline. */
const text = (s: string): string => s.replace(/:/g, '：').replace(/;/g, '；').replace(/%/g, '％').replace(/\s*\n\s*/g, ' ');

/** A quoted state title: no `"`. */
const title = (s: string): string => text(s).replace(/"/g, "'");

export function toMermaid(machine: AnyStateMachine): string {
  return renderMermaid(chartOf(machine));
}

/** Render a {@link Chart} (see the module comment). */
export function renderMermaid(chart: Chart): string {
  const ids = uniqueIds(chart, mermaidId);
  const id = (stateId: string): string => ids.get(stateId) ?? stateId;
  const drawRoot = rootIsDrawn(chart);

  // The arrows: transitions with targets, and history states' defaults (unlabelled). An arrow
  // between states of one parent goes into that parent's block, any other at the top level: Mermaid
  // gives a state the parent of the block that mentions it (the first or the last mention, depending
  // on its version), except at the top level, which leaves the parent alone.
  const arrows = [
    ...chart.transitions.flatMap((t) => t.targets.map((target) => ({ source: t.source, target, label: ` : ${text(t.label)}` }))),
    ...[...chart.nodes.values()].filter((n) => n.kind === 'history').flatMap((n) => n.initial.map((target) => ({ source: n.id, target, label: '' }))),
  ];
  const blockOf = new Map<string | undefined, string[]>();
  for (const { source, target, label } of arrows) {
    const parent = chart.nodes.get(source)?.parent;
    // (Not in a parallel state's block either: Mermaid puts each region in a block of its own.)
    const inBlock = parent === chart.nodes.get(target)?.parent && chart.nodes.get(parent ?? '')?.kind !== 'parallel';
    const block = inBlock && (parent !== chart.root.id || drawRoot) ? parent : undefined;
    blockOf.set(block, [...(blockOf.get(block) ?? []), `${id(source)} --> ${id(target)}${label}`]);
  }

  const lines: string[] = ['stateDiagram-v2'];
  const edges = (block: string | undefined, indent: string): string[] => (blockOf.get(block) ?? []).map((arrow) => `${indent}${arrow}`);

  /** The lines inside a compound or parallel state's block (or the top level, for an undrawn root). */
  const body = (node: ChartNode, indent: string): string[] => {
    const out: string[] = [];
    node.children.forEach((child, i) => {
      if (node.kind === 'parallel' && i > 0) out.push(`${indent}--`);
      out.push(...declare(child, indent));
    });
    for (const initial of node.initial) if (node.kind === 'compound') out.push(`${indent}[*] --> ${id(initial)}`);
    out.push(...edges(node.id === chart.root.id && !drawRoot ? undefined : node.id, indent));
    for (const child of node.children) if (child.kind === 'final') out.push(`${indent}${id(child.id)} --> [*]`);
    return out;
  };

  const declare = (node: ChartNode, indent: string): string[] => {
    const actions = stateLines(chart, node);
    if (node.kind === 'compound' || node.kind === 'parallel') {
      const heading = [node.key, ...actions].join(' · ');
      return [`${indent}state "${title(heading)}" as ${id(node.id)} {`, ...body(node, `${indent}  `), `${indent}}`];
    }
    const name = node.kind === 'history' ? (node.history === 'deep' ? 'H*' : 'H') : node.key;
    return [`${indent}state "${title(name)}" as ${id(node.id)}`, ...actions.map((line) => `${indent}${id(node.id)} : ${text(line)}`)];
  };

  if (drawRoot) {
    lines.push(...declare(chart.root, '  '), ...edges(undefined, '  '));
  } else if (chart.root.kind === 'compound' || chart.root.kind === 'parallel') {
    lines.push(...body(chart.root, '  '));
  } else {
    lines.push(...declare(chart.root, '  '));
  }
  return `${lines.join('\n')}\n`;
}
