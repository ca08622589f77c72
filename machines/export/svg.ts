/**
 * A statechart as SVG: its DOT ({@link toDot}) laid out by Graphviz compiled to WebAssembly
 * (`@viz-js/viz`), so no native Graphviz is needed. For the same input and the same `@viz-js/viz`
 * version the output is byte-for-byte the same (the SVG names the Graphviz version in a comment).
 *
 * @module
 */
import { instance, type Viz } from '@viz-js/viz';
import type { AnyStateMachine } from 'xstate';
import { toDot } from './dot.js';

let viz: Promise<Viz> | undefined;

/** Lay out and draw a DOT graph as SVG; rejects with Graphviz's messages when the DOT is invalid. */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  // renderString throws with Graphviz's error messages when the input is invalid.
  return (await viz).renderString(dot, { format: 'svg' });
}

export function toSvg(machine: AnyStateMachine): Promise<string> {
  return renderSvg(toDot(machine));
}
