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

/** One titled SVG drawing for {@link stackSvgs}. */
export interface TitledSvg {
  readonly title: string;
  readonly svg: string;
}

/**
 * Several SVG drawings stacked top to bottom in one SVG document, each under its title: the SVG of
 * every role of a model in one file. Each drawing keeps its own coordinates as a nested `<svg>`.
 */
export function stackSvgs(parts: readonly TitledSvg[]): string {
  const GAP = 16;
  const TITLE = 24;
  let y = 0;
  let width = 0;
  const body: string[] = [];
  for (const { title, svg } of parts) {
    const root = /<svg\b[^>]*>/.exec(svg);
    if (root === null) throw new Error(`not an SVG drawing: ${title}`);
    const w = points(root[0], 'width');
    const h = points(root[0], 'height');
    const inner = svg.slice(root.index + root[0].length, svg.lastIndexOf('</svg>'));
    const viewBox = /viewBox="([^"]*)"/.exec(root[0])?.[1] ?? `0 0 ${w} ${h}`;
    body.push(`<text x="4" y="${y + 16}" font-family="Helvetica,sans-Serif" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
    body.push(`<svg x="0" y="${y + TITLE}" width="${w}" height="${h}" viewBox="${viewBox}">${inner}</svg>`);
    y += TITLE + h + GAP;
    width = Math.max(width, w, Math.ceil(title.length * 9.5));
  }
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}pt" height="${y}pt" viewBox="0 0 ${width} ${y}">`,
    '<rect width="100%" height="100%" fill="white"/>',
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function points(tag: string, attribute: string): number {
  const value = new RegExp(`${attribute}="([0-9.]+)(pt)?"`).exec(tag)?.[1];
  if (value === undefined) throw new Error(`SVG root without ${attribute}`);
  return Number(value);
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
