/**
 * A trace as a Mermaid `sequenceDiagram`: the messages delivered between roles as arrows, other
 * steps (client submissions, timeouts, crashes, environment events) as notes over the role they
 * touch, and what changed in each role as a note after the step.
 *
 * @module
 */
import type { ReplayedStep } from './replay.js';
import { show } from './replay.js';

interface Delivered {
  readonly kind: 'request' | 'response';
  readonly id?: string;
  readonly from: string;
  readonly to: string | { readonly anyOf: readonly string[] };
  readonly cmd?: { readonly name?: string };
  readonly status?: string;
}

const isDelivered = (m: unknown): m is Delivered =>
  typeof m === 'object' && m !== null && ((m as Delivered).kind === 'request' || (m as Delivered).kind === 'response') && typeof (m as Delivered).from === 'string';

/** Text Mermaid shows as is: `;` ends a statement (a comma instead), `#` starts an entity code (written as `#35;`), line breaks become `<br/>`. */
const text = (s: string): string => s.replace(/;/g, ',').replace(/#/g, '#35;').replace(/\r?\n/g, '<br/>');

/** The diagram of replayed steps (see `replay()`); `roles` are the view keys drawn as participants. */
export function sequenceDiagram(steps: readonly ReplayedStep[]): string {
  const first = steps[0];
  if (first === undefined) return 'sequenceDiagram\n';
  // Roles are the view's entries that are not lists (a network or message set is drawn as arrows).
  const roles = Object.keys(first.view).filter((k) => !Array.isArray(first.view[k]));
  const lines = ['sequenceDiagram', ...roles.map((r) => `  participant ${r}`)];
  for (const step of steps.slice(1)) {
    const changed = step.changes.filter((c) => roles.includes(c.role));
    const m = step.message;
    if (isDelivered(m) && roles.includes(m.from)) {
      const to = typeof m.to === 'string' ? m.to : (changed.find((c) => (m.to as { anyOf: readonly string[] }).anyOf.includes(c.role))?.role ?? m.to.anyOf[0]!);
      const label = m.kind === 'request' ? `${m.cmd?.name ?? 'request'} ${m.id ?? ''}` : `${m.status ?? 'response'} ${m.id ?? ''}`;
      lines.push(`  ${m.from}->>${roles.includes(to) ? to : m.from}: ${text(`${step.index}. ${label.trim()}`)}`);
    } else {
      const over = changed[0]?.role ?? roles[0]!;
      lines.push(`  Note over ${over}: ${text(`${step.index}. ${step.action ?? ''}`)}`);
    }
    for (const c of changed) {
      const fields = c.fields.map((f) => `${f.field === '.' ? '' : `${f.field}: `}${show(f.before)} → ${show(f.after)}`);
      lines.push(`  Note right of ${c.role}: ${text(fields.join('\n'))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
