/**
 * The diagram formats (`machines/export/`) on sample statecharts that use every feature the
 * renderers handle: compound, parallel, final and history states, named guards with `not`/`and`/
 * `or`, named actions with params, entry/exit actions, root-level transitions, self and targetless
 * transitions, arrays of guarded candidates, delayed and eventless transitions.
 */
import { instance } from '@viz-js/viz';
import { and, not, or, setup, stateIn } from 'xstate';
import { describe, expect, it } from 'vitest';
import { chartOf, renderSvg, toDot, toJson, toMermaid, toScxml, toSvg } from '../machines/export/index.js';
import { SCXML_NAMESPACE } from '../machines/export/scxml.js';

const sample = setup({
  guards: { ready: () => true, quorum: () => true, isLeader: () => true, hasVotes: () => true },
  actions: { log: () => {}, send: () => {}, reset: () => {}, tick: () => {}, start: () => {}, stop: () => {} },
}).createMachine({
  id: 'node',
  initial: 'idle',
  on: { RESET: { target: '.idle', actions: 'reset' } },
  states: {
    idle: {
      entry: ['log'],
      exit: [{ type: 'send', params: { to: 'tm', kind: 'hello' } }],
      on: {
        GO: [
          { guard: not('ready'), target: 'idle', reenter: true },
          { guard: and(['ready', { type: 'quorum', params: { n: 2 } }]), target: 'running', actions: ['start', { type: 'send', params: { to: 'all' } }] },
          { target: 'failed' },
        ],
        PING: { actions: 'log' },
      },
    },
    running: {
      type: 'parallel',
      entry: 'start',
      exit: 'stop',
      on: { STOP: 'done', CRASH: 'failed' },
      states: {
        clock: {
          initial: 'ticking',
          states: {
            ticking: { on: { TICK: { target: 'ticking', actions: 'tick' } }, after: { 100: 'paused' } },
            paused: { on: { RESUME: 'ticking' } },
          },
        },
        role: {
          initial: 'follower',
          states: {
            follower: { on: { ELECT: { guard: or(['isLeader', not(and(['hasVotes', 'quorum']))]), target: 'leader' } } },
            leader: { on: { STEP_DOWN: 'follower', ABDICATE: '#node.failed' } },
            hist: { type: 'history', history: 'deep' },
          },
        },
      },
    },
    failed: { always: { guard: 'ready', target: 'idle' } },
    done: { type: 'final' },
  },
});

/** Awkward names: keys Mermaid or XML would choke on, a parallel root, `:` `;` `"` `<` `&` in params. */
const awkward = setup({
  guards: { 'is-ok': () => true },
  actions: { emit: () => {} },
}).createMachine({
  id: 'default machine',
  type: 'parallel',
  states: {
    'a-b': {
      initial: 'default',
      states: {
        default: { on: { 'go now': { target: 'class', guard: stateIn('#default machine.x y.state') } } },
        class: { on: { 'go now': { target: 'default', guard: 'is-ok', actions: { type: 'emit', params: { url: 'a:b;c', q: '"<&>"' } } } } },
      },
    },
    'x y': { initial: 'state', states: { state: {}, 'st-ate': {}, st_ate: {}, start: {}, end: { type: 'final' } } },
  },
});

describe('the chart model', () => {
  it('reads every state and transition with readable labels', () => {
    const chart = chartOf(sample);
    expect([...chart.nodes.keys()]).toEqual([
      'node',
      'node.idle',
      'node.running',
      'node.running.clock',
      'node.running.clock.ticking',
      'node.running.clock.paused',
      'node.running.role',
      'node.running.role.follower',
      'node.running.role.leader',
      'node.running.role.hist',
      'node.failed',
      'node.done',
    ]);
    expect(chart.transitions.map((t) => t.label)).toEqual([
      'RESET / reset',
      'GO [!ready]',
      'GO [ready && quorum(n=2)] / start, send(to="all")',
      'GO',
      'PING / log',
      'STOP',
      'CRASH',
      'TICK / tick',
      'after 100ms',
      'RESUME',
      'ELECT [isLeader || !(hasVotes && quorum)]',
      'STEP_DOWN',
      'ABDICATE',
      'always [ready]',
    ]);
    const idle = chart.nodes.get('node.idle');
    expect(idle?.entry).toEqual(['log']);
    expect(idle?.exit).toEqual(['send(to="tm", kind="hello")']);
    // The raise/cancel XState adds for `after` are not shown.
    expect(chart.nodes.get('node.running.clock.ticking')?.entry).toEqual([]);
    expect(chart.nodes.get('node.running.role.hist')).toMatchObject({ kind: 'history', history: 'deep', initial: ['node.running.role.follower'] });
    expect(chart.nodes.get('node.running.clock')?.region).toBe(true);
  });
});

describe('mermaid', () => {
  const text = toMermaid(sample);

  it('draws compound and parallel states as blocks, regions separated by --', () => {
    expect(text.startsWith('stateDiagram-v2\n')).toBe(true);
    expect(text).toContain('  state "node" as node {\n');
    expect(text).toContain('    state "running · entry / start · exit / stop" as node_running {\n');
    const running = block(text, 'node_running');
    expect(running).toMatch(/state "clock" as node_running_clock \{[\s\S]*\n\s*--\n\s*state "role" as node_running_role \{/);
    expect(block(text, 'node_running_clock')).toContain('[*] --> node_running_clock_ticking');
    expect(text).toContain('    [*] --> node_idle\n');
    expect(text).toContain('    node_done --> [*]\n');
    expect(text).toContain('state "H*" as node_running_role_hist');
  });

  it('labels transitions EVENT [guard] / actions, and lists targetless ones in their state', () => {
    expect(text).toContain('node_idle --> node_running : GO [ready && quorum(n=2)] / start, send(to="all")\n');
    expect(text).toContain('node_idle --> node_idle : GO [!ready]\n');
    expect(text).toContain('node_running_role_follower --> node_running_role_leader : ELECT [isLeader || !(hasVotes && quorum)]\n');
    expect(text).toContain('node_running_clock_ticking --> node_running_clock_ticking : TICK / tick\n');
    expect(text).toContain('node_running_clock_ticking --> node_running_clock_paused : after 100ms\n');
    expect(text).toContain('node_failed --> node_idle : always [ready]\n');
    expect(text).toContain('node_idle : entry / log\n');
    expect(text).toContain('node_idle : PING / log\n');
    expect(text).not.toMatch(/node_idle --> node_idle : PING/);
  });

  it('writes root-level and cross-block transitions at the top level', () => {
    expect(text).toMatch(/\n {2}node --> node_idle : RESET \/ reset\n/);
    expect(text).toMatch(/\n {2}node_running_role_leader --> node_failed : ABDICATE\n/);
  });

  it('makes ids and labels safe for its grammar', () => {
    const odd = toMermaid(awkward);
    const declared = [...odd.matchAll(/state "([^"]*)" as (\S+)/g)].map((m) => m[2]);
    for (const id of declared) expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    // Mermaid reads ids starting `default`, `class`, `state`… as keywords: such ids are prefixed.
    expect(declared).toEqual([
      's_default_machine',
      's_default_machine_a_b',
      's_default_machine_a_b_default',
      's_default_machine_a_b_class',
      's_default_machine_x_y',
      's_default_machine_x_y_state',
      's_default_machine_x_y_st_ate',
      's_default_machine_x_y_st_ate_2',
      // Not `…_start`/`…_end`: Mermaid's own ids for the `[*]` of the block `…_x_y`.
      's_default_machine_x_y_start_',
      's_default_machine_x_y_end_',
    ]);
    expect(new Set(declared).size).toBe(declared.length);
    // Every edge joins declared states, and its label has no second `:` and no `;`.
    for (const [, from, to, label] of odd.matchAll(/^\s*(\S+) --> (\S+)(?: : (.*))?$/gm)) {
      for (const end of [from, to]) if (end !== '[*]') expect(declared).toContain(end);
      expect(label ?? '').not.toMatch(/[:;]/);
    }
    expect(odd).toContain('go now [is-ok] / emit(url="a：b；c", q="\\"<&>\\"")');
  });
});

describe('dot', () => {
  const dot = toDot(sample);

  it('draws compound states as clusters, parallel ones bold with dashed regions', () => {
    expect(dot.startsWith('digraph "node" {\n  compound=true;\n')).toBe(true);
    expect(block(dot, '"cluster_node_running"')).toMatch(/label="running \(parallel\)\\nentry \/ start\\lexit \/ stop\\l";\s*style="rounded,bold";/);
    expect(block(dot, '"cluster_node_running_clock"')).toContain('style="rounded,dashed";');
    expect(block(dot, '"cluster_node_running_role"')).toContain('style="rounded,dashed";');
    expect(dot).toContain('"initial:node_running_clock" -> "node_running_clock_ticking";');
    expect(dot).toContain('"node_done" [label="done", peripheries="2"];');
  });

  it('draws edges to and from clusters at their border, with labels', () => {
    expect(dot).toContain(
      '"node_idle" -> "anchor:node_running" [label=" GO [ready && quorum(n=2)] / start, send(to=\\"all\\") ", lhead="cluster_node_running"];',
    );
    expect(dot).toContain('"anchor:node_running" -> "node_done" [label=" STOP ", ltail="cluster_node_running"];');
    // Root-level: from the root cluster into one of its own states, so no ltail.
    expect(dot).toContain('"anchor:node" -> "node_idle" [label=" RESET / reset "];');
    expect(dot).toContain('"node_idle" [label="idle\\nentry / log\\lexit / send(to=\\"tm\\", kind=\\"hello\\")\\lPING / log\\l"];');
  });

  it('is valid DOT that Graphviz lays out without errors or warnings', async () => {
    const viz = await instance();
    for (const machine of [sample, awkward]) {
      const result = viz.render(toDot(machine), { format: 'svg' });
      expect(result.errors).toEqual([]);
      expect(result.status).toBe('success');
    }
  });
});

describe('svg', () => {
  it('renders the DOT as SVG, the same every time', async () => {
    const svg = await toSvg(sample);
    expect(svg).toMatch(/^(<\?xml|<svg)/);
    expect(svg).toContain('</svg>');
    expect(svg).toContain('running (parallel)');
    expect(await renderSvg(toDot(sample))).toBe(svg);
  });

  it('rejects invalid DOT with Graphviz\'s message', async () => {
    await expect(renderSvg('digraph { a -> }')).rejects.toThrow(/syntax error/);
  });
});

describe('scxml', () => {
  const xml = toScxml(sample);
  const root = parseXml(xml);

  it('is well-formed XML in the W3C SCXML namespace', () => {
    expect(root.name).toBe('scxml');
    expect(root.attributes).toMatchObject({ xmlns: SCXML_NAMESPACE, version: '1.0', initial: 'node' });
    const odd = parseXml(toScxml(awkward));
    expect(odd.name).toBe('scxml');
    expect(elements(odd).find((e) => e.name === 'parallel')?.attributes['id']).toBe('default_machine');
  });

  it('names only existing states in targets and initial attributes, with unique ids', () => {
    for (const doc of [root, parseXml(toScxml(awkward))]) {
      const all = elements(doc);
      const ids = all.filter((e) => ['state', 'parallel', 'final', 'history'].includes(e.name)).map((e) => e.attributes['id']);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9._-]*$/);
      const refs = all.flatMap((e) => [...(e.attributes['target'] ?? '').split(' '), ...(e.attributes['initial'] ?? '').split(' ')]).filter((r) => r !== '');
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(ids).toContain(ref);
    }
  });

  it('has states, parallel regions, finals, history, guards and actions', () => {
    const all = elements(root);
    const byId = (id: string) => all.find((e) => e.attributes['id'] === id);
    expect(byId('node')?.name).toBe('state');
    expect(byId('node')?.attributes['initial']).toBe('node.idle');
    expect(byId('node.running')?.name).toBe('parallel');
    expect(byId('node.done')?.name).toBe('final');
    expect(byId('node.running.role.hist')).toMatchObject({ name: 'history', attributes: { type: 'deep' } });
    const transitions = all.filter((e) => e.name === 'transition');
    expect(transitions.find((t) => t.attributes['cond'] === 'ready && quorum(n=2)')?.attributes).toMatchObject({ event: 'GO', target: 'node.running' });
    expect(transitions.find((t) => t.attributes['event'] === 'RESET')?.attributes).toMatchObject({ target: 'node.idle', type: 'internal' });
    expect(transitions.find((t) => t.attributes['event'] === 'PING')?.attributes['target']).toBeUndefined();
    // Eventless: no event attribute.
    expect(transitions.find((t) => t.attributes['cond'] === 'ready' && t.attributes['event'] === undefined)?.attributes['target']).toBe('node.idle');
    const logs = all.filter((e) => e.name === 'log').map((e) => e.attributes['expr']);
    expect(logs).toContain("'send(to=\"tm\", kind=\"hello\")'");
    expect(xml).toContain('<onentry>\n        <log label="action" expr="\'log\'"/>');
    expect(all.find((e) => e.name === 'send')?.attributes).toMatchObject({ delay: '100ms' });
  });
});

describe('json', () => {
  it('is the directed graph of xstate/graph as a plain tree with labels', () => {
    const graph = JSON.parse(toJson(sample));
    const ids: string[] = [];
    const edges: { source: string; target: string; label: string }[] = [];
    const walk = (n: { id: string; children: unknown[]; edges: typeof edges }) => {
      ids.push(n.id);
      edges.push(...n.edges);
      n.children.forEach((c) => walk(c as typeof n));
    };
    walk(graph);
    expect(ids).toEqual([...chartOf(sample).nodes.keys()]);
    expect(graph.type).toBe('compound');
    expect(graph.children[1]).toMatchObject({ id: 'node.running', type: 'parallel' });
    expect(edges).toContainEqual(expect.objectContaining({ source: 'node', target: 'node.idle', label: 'RESET / reset' }));
    expect(edges).toContainEqual(expect.objectContaining({ source: 'node.idle', target: 'node.running', label: 'GO [ready && quorum(n=2)] / start, send(to="all")' }));
    // Targetless: back to the source, as toDirectedGraph does; eventless ones are added.
    expect(edges).toContainEqual(expect.objectContaining({ source: 'node.idle', target: 'node.idle', label: 'PING / log' }));
    expect(edges).toContainEqual(expect.objectContaining({ source: 'node.failed', target: 'node.idle', event: '', label: 'always [ready]' }));
  });
});

/** The text of the block `… as <id> {` or `subgraph <id> {` up to its closing brace. */
function block(text: string, id: string): string {
  const start = text.search(new RegExp(`(as|subgraph) ${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\{`));
  expect(start).toBeGreaterThanOrEqual(0);
  let depth = 0;
  for (let i = text.indexOf('{', start); i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  throw new Error(`block ${id} is not closed`);
}

interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
}

const elements = (e: XmlElement): XmlElement[] => [e, ...e.children.flatMap(elements)];

/**
 * A small well-formedness check of XML 1.0 (enough for generated documents): one root element,
 * tags that nest and match, quoted attributes without `<` and with unique names, only the
 * predefined or numeric entities, no stray `<` or `&` in text. Throws on the first problem;
 * returns the element tree with entities decoded.
 */
function parseXml(xml: string): XmlElement {
  const name = '[A-Za-z_][A-Za-z0-9._:-]*';
  const entity = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/g;
  const checkText = (s: string, where: string): string => {
    if (/[<]/.test(s) || /&/.test(s.replace(entity, ''))) throw new Error(`bad character in ${where}: ${JSON.stringify(s)}`);
    return s.replace(entity, (e) =>
      ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" })[e] ?? String.fromCodePoint(Number(e.startsWith('&#x') ? `0x${e.slice(3, -1)}` : e.slice(2, -1))),
    );
  };
  const token = new RegExp(`<\\?xml[^?]*\\?>|<!--[\\s\\S]*?-->|<(/?)(${name})((?:\\s+${name}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>|([^<]+)|(<)`, 'gy');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let first = true;
  // Every input matches one alternative (a stray `<` the last), so the loop reads all of it.
  for (let m = token.exec(xml); m !== null; m = token.exec(xml)) {
    const [whole, close, tag, attrText, selfClose, text, stray] = m;
    if (stray !== undefined) throw new Error(`malformed markup at ${m.index}: ${xml.slice(m.index, m.index + 40)}`);
    if (whole.startsWith('<?xml') && !first) throw new Error('XML declaration not at the start');
    first = false;
    if (text !== undefined) {
      checkText(text, 'text');
      if (stack.length === 0 && text.trim() !== '') throw new Error('text outside the root element');
      continue;
    }
    if (tag === undefined) continue; // declaration or comment
    if (close === '/') {
      const open = stack.pop();
      if (open?.name !== tag) throw new Error(`</${tag}> closes <${open?.name}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const a of (attrText ?? '').matchAll(new RegExp(`(${name})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g'))) {
      const key = a[1] ?? '';
      if (key in attributes) throw new Error(`attribute ${key} twice on <${tag}>`);
      attributes[key] = checkText(a[2] ?? a[3] ?? '', `attribute ${key}`);
    }
    const element: XmlElement = { name: tag, attributes, children: [] };
    const parent = stack.at(-1);
    if (parent !== undefined) parent.children.push(element);
    else if (root === undefined) root = element;
    else throw new Error('a second root element');
    if (selfClose !== '/') stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.name}> is not closed`);
  if (root === undefined) throw new Error('no root element');
  return root;
}

describe('the XML check itself', () => {
  it('rejects what is not well-formed', () => {
    expect(() => parseXml('<a><b></a>')).toThrow();
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow();
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow();
    expect(() => parseXml('<a x="<"/>')).toThrow();
    expect(() => parseXml('<a/><b/>')).toThrow();
    expect(() => parseXml('<a>')).toThrow();
    expect(() => parseXml('<a x=1/>')).toThrow();
    expect(parseXml('<?xml version="1.0"?>\n<a x="&amp;&#65;"><b/>t</a>\n')).toEqual({ name: 'a', attributes: { x: '&A' }, children: [{ name: 'b', attributes: {}, children: [] }] });
  });
});
