/**
 * A statechart as W3C SCXML (`http://www.w3.org/2005/07/scxml`, version 1.0).
 *
 * - The machine's root is a `<state>` (or `<parallel>`) inside `<scxml>`, so that root-level
 *   transitions have a home; `<state>`, `<parallel>`, `<final>` and `<history>` follow the chart,
 *   with `initial` naming a compound state's initial child. Ids are XState's ids made valid XML
 *   names (`rm.working` stays `rm.working`; other characters become `_`).
 * - A transition is `<transition event cond target>`: no `event` for an eventless one, no `target`
 *   for a targetless one, `type="internal"` when XState would not re-enter its source. `cond` holds
 *   the readable guard (`!g`, `a &amp;&amp; b`); the datamodel is `null`, so it is documentation,
 *   not an expression to evaluate. Completion events read `done.state.<id>`, as in SCXML.
 * - Actions are named, not run: each is `<log label="action" expr="'name'"/>`, in `<onentry>`,
 *   `<onexit>` or the transition. A delayed (`after`) transition's timer is the `<send delay>` in
 *   its source's `<onentry>` and the `<cancel>` in its `<onexit>`.
 *
 * @module
 */
import type { AnyStateMachine } from 'xstate';
import type { Chart, ChartNode, ChartTransition } from './chart.js';
import { chartOf, isWithin, uniqueIds } from './chart.js';

export const SCXML_NAMESPACE = 'http://www.w3.org/2005/07/scxml';

/** Characters XML 1.0 does not allow at all. */
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** An attribute value, escaped for double quotes. */
export const xmlAttr = (s: string): string =>
  s
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');

/** A valid XML name (NCName): letters, digits, `.`, `-`, `_`, starting with a letter or `_`. */
const xmlName = (s: string): string => {
  const name = s.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
};

/** A single-quoted ECMAScript string literal. */
const literal = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function toScxml(machine: AnyStateMachine): string {
  return renderScxml(chartOf(machine));
}

/** Render a {@link Chart} (see the module comment). */
export function renderScxml(chart: Chart): string {
  const ids = uniqueIds(chart, xmlName);
  const id = (stateId: string): string => ids.get(stateId) ?? xmlName(stateId);
  const bySource = new Map<string, ChartTransition[]>();
  for (const t of chart.transitions) bySource.set(t.source, [...(bySource.get(t.source) ?? []), t]);

  const element = (name: string, attributes: Record<string, string | undefined>, children: string[], indent: string): string[] => {
    const attrText = Object.entries(attributes)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => ` ${k}="${xmlAttr(v)}"`)
      .join('');
    return children.length === 0
      ? [`${indent}<${name}${attrText}/>`]
      : [`${indent}<${name}${attrText}>`, ...children, `${indent}</${name}>`];
  };
  const logs = (actions: readonly string[], indent: string): string[] =>
    actions.flatMap((a) => element('log', { label: 'action', expr: literal(a) }, [], indent));
  const event = (t: ChartTransition): string | undefined => {
    if (t.eventType === '') return undefined;
    const done = /^xstate\.done\.state\.(.*)$/.exec(t.eventType);
    if (done?.[1] !== undefined) return `done.state.${id(done[1])}`;
    return t.eventType.replace(/\s+/g, '_');
  };
  const timerId = (t: ChartTransition): string => xmlName(t.eventType);

  const state = (n: ChartNode, indent: string): string[] => {
    const inner = `${indent}  `;
    if (n.kind === 'history') {
      const transition = element('transition', { target: n.initial.map(id).join(' ') || undefined }, [], `${inner}`);
      return element('history', { id: id(n.id), type: n.history ?? 'shallow' }, transition, indent);
    }
    const own = bySource.get(n.id) ?? [];
    const timers = own.filter((t) => t.delay !== undefined);
    const onentry = [
      ...logs(n.entry, `${inner}  `),
      ...timers.flatMap((t) =>
        element(
          'send',
          { event: t.eventType, id: timerId(t), ...(typeof t.delay === 'number' ? { delay: `${t.delay}ms` } : { delayexpr: literal(String(t.delay)) }) },
          [],
          `${inner}  `,
        ),
      ),
    ];
    const onexit = [...logs(n.exit, `${inner}  `), ...timers.flatMap((t) => element('cancel', { sendid: timerId(t) }, [], `${inner}  `))];
    const transitions = own.flatMap((t) =>
      element(
        'transition',
        {
          event: event(t),
          cond: t.guard,
          target: t.targets.length === 0 ? undefined : t.targets.map(id).join(' '),
          type: t.targets.length > 0 && !t.reenter && t.targets.every((x) => isWithin(chart, x, n.id)) ? 'internal' : undefined,
        },
        logs(t.actions, `${inner}  `),
        inner,
      ),
    );
    const children = [
      ...(onentry.length > 0 ? element('onentry', {}, onentry, inner) : []),
      ...(onexit.length > 0 ? element('onexit', {}, onexit, inner) : []),
      ...transitions,
      ...n.children.flatMap((c) => state(c, inner)),
    ];
    const name = n.kind === 'final' ? 'final' : n.kind === 'parallel' ? 'parallel' : 'state';
    const initial = n.kind === 'compound' && n.initial.length > 0 ? n.initial.map(id).join(' ') : undefined;
    return element(name, { id: id(n.id), initial }, children, indent);
  };

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    ...element(
      'scxml',
      { xmlns: SCXML_NAMESPACE, version: '1.0', name: xmlName(chart.id), initial: id(chart.root.id), datamodel: 'null' },
      state(chart.root, '  '),
      '',
    ),
    '',
  ].join('\n');
}
