/**
 * A replayed trace as one self-contained HTML page (no network access needed): a step slider with
 * back and next buttons, a sequence diagram of the steps, each role's statechart (SVG) with its
 * current state highlighted, and each role's state at the selected step with the changed fields
 * marked. All data is embedded as JSON; a small script renders the selected step.
 *
 * @module
 */
import type { ReplayedStep } from './replay.js';
import { show } from './replay.js';

/** One role instance of the page: a view key (`shard0`) drawn with its role's chart. */
export interface HtmlChart {
  /** The view key (`shard0`, `r2`, `tm`). */
  readonly key: string;
  /** The chart's role name (`shard`, `rm`). */
  readonly role: string;
  /** The chart drawn by Graphviz. */
  readonly svg: string;
  /** The Graphviz node name of every state path of the chart (`replication.caughtUp` → `config_replication_caughtUp`). */
  readonly nodeOf: Readonly<Record<string, string>>;
}

export interface HtmlInput {
  readonly title: string;
  readonly steps: readonly ReplayedStep[];
  readonly charts: readonly HtmlChart[];
  /** One line under the title, e.g. the invariant the last step breaks. */
  readonly verdict: string;
}

interface PageStep {
  readonly index: number;
  readonly action: string;
  readonly arrow: { readonly from: string; readonly to: string; readonly label: string } | null;
  readonly view: Record<string, string>;
  readonly changed: Record<string, readonly string[]>;
  /** Per view key, the active state paths (`commands.primary`, `commands`, ...). */
  readonly active: Record<string, readonly string[]>;
}

/** The active state paths of a view whose `state` (or the view itself) is a configuration name. */
function activePaths(view: unknown): string[] {
  const name = typeof view === 'string' ? view : typeof view === 'object' && view !== null ? (view as { state?: unknown }).state : undefined;
  if (typeof name !== 'string') return [];
  const paths = new Set<string>();
  for (const leaf of name.split(', ')) {
    const parts = leaf.split('.');
    for (let i = 1; i <= parts.length; i++) paths.add(parts.slice(0, i).join('.'));
  }
  return [...paths];
}

function arrowOf(step: ReplayedStep, roles: readonly string[]): PageStep['arrow'] {
  const m = step.message as { kind?: string; id?: string; from?: string; to?: unknown; cmd?: { name?: string }; status?: string } | null;
  if (m === null || typeof m !== 'object' || typeof m.from !== 'string' || !roles.includes(m.from)) return null;
  const anyOf = typeof m.to === 'object' && m.to !== null ? ((m.to as { anyOf?: string[] }).anyOf ?? []) : [];
  const to = typeof m.to === 'string' ? m.to : (step.changes.find((c) => anyOf.includes(c.role))?.role ?? anyOf[0] ?? m.from);
  const label = `${m.kind === 'request' ? (m.cmd?.name ?? 'request') : (m.status ?? 'response')} ${m.id ?? ''}`.trim();
  return { from: m.from, to: roles.includes(to) ? to : m.from, label };
}

/** `<`, `>`, `&` escaped for embedding JSON in a `<script>` element. */
const scriptSafe = (json: string): string => json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderHtml(input: HtmlInput): string {
  const first = input.steps[0]!;
  const roles = Object.keys(first.view).filter((k) => !Array.isArray(first.view[k]));
  const steps: PageStep[] = input.steps.map((step) => ({
    index: step.index,
    action: step.action ?? '(initial state)',
    arrow: step.action === null ? null : arrowOf(step, roles),
    view: Object.fromEntries(Object.entries(step.view).map(([k, v]) => [k, show(v)])),
    changed: Object.fromEntries(step.changes.map((c) => [c.role, c.fields.map((f) => (f.field === '.' ? 'value' : f.field))])),
    active: Object.fromEntries(Object.keys(step.view).map((k) => [k, activePaths(step.view[k])])),
  }));
  const data = { roles, steps, charts: input.charts.map(({ key, role, nodeOf }) => ({ key, role, nodeOf })) };
  const charts = input.charts
    .map((c) => `<figure class="chart" data-key="${escapeHtml(c.key)}"><figcaption>${escapeHtml(c.key)} <small>(${escapeHtml(c.role)})</small></figcaption>${stripProlog(c.svg)}</figure>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(input.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.3rem; margin: 0 0 .2rem; }
.verdict { color: #a00; margin: 0 0 1rem; }
.controls { display: flex; gap: .6rem; align-items: center; position: sticky; top: 0; background: #fff; padding: .5rem 0; z-index: 1; }
#step { flex: 1; }
#step-label { font-weight: bold; min-width: 28rem; }
section { margin: 1rem 0; }
h2 { font-size: 1.05rem; border-bottom: 1px solid #ddd; }
#sequence svg text { font-size: 12px; }
#sequence .row.current rect.band { fill: #fff3b0; }
table.roles { border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 12px; }
table.roles td { border: 1px solid #ddd; padding: .25rem .5rem; vertical-align: top; }
table.roles tr.changed td:first-child { background: #fff3b0; font-weight: bold; }
.fields { color: #a05a00; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.chart { margin: 0; border: 1px solid #ddd; padding: .4rem; }
figure.chart svg { max-width: 36rem; height: auto; }
figure.chart g.node.active polygon, figure.chart g.node.active path, figure.chart g.node.active ellipse { fill: #ffd54f; stroke: #e65100; stroke-width: 2.5; }
figure.chart g.cluster.active > polygon, figure.chart g.cluster.active > path { stroke: #e65100; stroke-width: 2.5; }
</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<p class="verdict">${escapeHtml(input.verdict)}</p>
<div class="controls">
  <button id="prev" type="button">◀ back</button>
  <input id="step" type="range" min="0" max="${steps.length - 1}" value="0">
  <button id="next" type="button">next ▶</button>
  <span id="step-label"></span>
</div>
<section><h2>Roles at this step</h2><table class="roles" id="roles"></table></section>
<section><h2>Statecharts</h2><div class="charts">
${charts}
</div></section>
<section><h2>Sequence</h2><div id="sequence"></div></section>
<script type="application/json" id="trace-data">${scriptSafe(JSON.stringify(data))}</script>
<script>
${PAGE_SCRIPT}
</script>
</body>
</html>
`;
}

function stripProlog(svg: string): string {
  const at = svg.indexOf('<svg');
  return at < 0 ? svg : svg.slice(at);
}

// The page's script: plain DOM code, no libraries.
const PAGE_SCRIPT = String.raw`(() => {
const data = JSON.parse(document.getElementById('trace-data').textContent);
const slider = document.getElementById('step');
const label = document.getElementById('step-label');
const svgNs = 'http://www.w3.org/2000/svg';

function el(name, attrs, text) {
  const e = document.createElementNS(svgNs, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// The sequence diagram: a lifeline per role, a row per step.
const col = 150, rowH = 26, headerH = 30;
const seq = el('svg', { width: data.roles.length * col + 40, height: headerH + data.steps.length * rowH + 10 });
const x = (role) => 20 + (data.roles.indexOf(role) + 0.5) * col;
data.roles.forEach((r) => {
  seq.appendChild(el('text', { x: x(r), y: 18, 'text-anchor': 'middle', 'font-weight': 'bold' }, r));
  seq.appendChild(el('line', { x1: x(r), y1: 24, x2: x(r), y2: headerH + data.steps.length * rowH, stroke: '#bbb' }));
});
const defs = el('defs', {});
const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' });
marker.appendChild(el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#333' }));
defs.appendChild(marker);
seq.appendChild(defs);
const rows = data.steps.map((s, i) => {
  const g = el('g', { class: 'row', 'data-step': i });
  const y = headerH + i * rowH;
  g.appendChild(el('rect', { class: 'band', x: 0, y, width: data.roles.length * col + 40, height: rowH, fill: 'transparent' }));
  const mid = y + rowH / 2 + 4;
  if (s.arrow) {
    g.appendChild(el('line', { x1: x(s.arrow.from), y1: mid, x2: x(s.arrow.to), y2: mid, stroke: '#333', 'marker-end': 'url(#arrow)' }));
    g.appendChild(el('text', { x: (x(s.arrow.from) + x(s.arrow.to)) / 2, y: mid - 4, 'text-anchor': 'middle' }, i + '. ' + s.arrow.label));
  } else {
    const changed = Object.keys(s.changed).find((k) => data.roles.includes(k)) || data.roles[0];
    g.appendChild(el('text', { x: x(changed) + 6, y: mid }, i + '. ' + s.action));
  }
  g.addEventListener('click', () => show(i));
  seq.appendChild(g);
  return g;
});
document.getElementById('sequence').appendChild(seq);

// The statecharts: which Graphviz node or cluster is each state path.
const charts = data.charts.map((c) => {
  const figure = document.querySelector('figure.chart[data-key="' + c.key + '"]');
  const byTitle = new Map();
  for (const g of figure.querySelectorAll('g.node, g.cluster')) {
    const t = g.querySelector('title');
    if (t) byTitle.set(t.textContent, g);
  }
  return { ...c, figure, byTitle };
});

function show(i) {
  const s = data.steps[i];
  slider.value = String(i);
  label.textContent = 'step ' + i + ' of ' + (data.steps.length - 1) + ': ' + s.action;
  label.dataset.step = String(i);
  rows.forEach((r, k) => r.classList.toggle('current', k === i));
  const table = document.getElementById('roles');
  table.replaceChildren();
  for (const [key, view] of Object.entries(s.view)) {
    const tr = document.createElement('tr');
    tr.dataset.key = key;
    if (s.changed[key]) tr.classList.add('changed');
    const name = document.createElement('td');
    name.textContent = key;
    const value = document.createElement('td');
    value.textContent = view;
    const fields = document.createElement('td');
    fields.className = 'fields';
    fields.textContent = s.changed[key] ? 'changed: ' + s.changed[key].join(', ') : '';
    tr.append(name, value, fields);
    table.appendChild(tr);
  }
  for (const c of charts) {
    for (const g of c.figure.querySelectorAll('.active')) g.classList.remove('active');
    const active = [];
    for (const path of s.active[c.key] || []) {
      const node = c.nodeOf[path];
      const g = node && (c.byTitle.get(node) || c.byTitle.get('cluster_' + node));
      if (g) { g.classList.add('active'); active.push(path); }
    }
    c.figure.dataset.active = active.join(' | ');
  }
}

slider.addEventListener('input', () => show(Number(slider.value)));
document.getElementById('prev').addEventListener('click', () => show(Math.max(0, Number(slider.value) - 1)));
document.getElementById('next').addEventListener('click', () => show(Math.min(data.steps.length - 1, Number(slider.value) + 1)));
document.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowRight') document.getElementById('next').click();
  if (e.key === 'ArrowLeft') document.getElementById('prev').click();
});
show(0);
})();
`;
