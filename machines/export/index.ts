/**
 * Diagrams of the role statecharts, in every format: Mermaid, Graphviz DOT, SVG (DOT laid out by
 * Graphviz in WebAssembly), W3C SCXML, and JSON (`xstate/graph`'s directed graph). Each format is a
 * pure function of an XState v5 machine; SVG is asynchronous.
 *
 * @module
 */
import type { AnyStateMachine } from 'xstate';
import type { RoleChart } from '../../checker/model.js';
import { isStateMachine } from './chart.js';
import { toDot } from './dot.js';
import { toJson } from './json.js';
import { toMermaid } from './mermaid.js';
import { toScxml } from './scxml.js';
import { renderSvg } from './svg.js';

export { chartOf, isStateMachine, type Chart, type ChartNode, type ChartTransition } from './chart.js';
export { toDot, toJson, toMermaid, toScxml };
export { renderSvg, toSvg } from './svg.js';

export const DIAGRAM_FORMATS = ['mermaid', 'dot', 'svg', 'scxml', 'json'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];
/** The formats rendered synchronously (all but SVG). */
export type TextFormat = Exclude<DiagramFormat, 'svg'>;

/** The usual file extension of each format. */
export const EXTENSIONS: { readonly [F in DiagramFormat]: string } = { mermaid: 'mmd', dot: 'dot', svg: 'svg', scxml: 'scxml', json: 'json' };

const TEXT_RENDERERS: { readonly [F in TextFormat]: (machine: AnyStateMachine) => string } = {
  mermaid: toMermaid,
  dot: toDot,
  scxml: toScxml,
  json: toJson,
};

export const isDiagramFormat = (s: string): s is DiagramFormat => (DIAGRAM_FORMATS as readonly string[]).includes(s);

/** A role's machine; throws when the model lists something else than an XState v5 machine. */
export function machineOf(role: RoleChart): AnyStateMachine {
  if (!isStateMachine(role.machine)) throw new Error(`the statechart of role "${role.name}" is not an XState v5 machine`);
  return role.machine;
}

/** A machine in one of the synchronous formats. */
export function renderText(machine: AnyStateMachine, format: TextFormat): string {
  return TEXT_RENDERERS[format](machine);
}

/** A machine in any format. */
export async function renderDiagram(machine: AnyStateMachine, format: DiagramFormat): Promise<string> {
  return format === 'svg' ? renderSvg(toDot(machine)) : renderText(machine, format);
}
