/**
 * The interactive step-through of a replayed trace (`clusterspec replay --step`), as a pure session:
 * each command moves the cursor or selects a role and returns the text to show. The terminal loop
 * that reads commands lives in `cli/replay.ts`.
 *
 * Commands: `n` (or Enter) next step, `b` back, `j N` (or just `N`) jump to step N, `r ROLE` show one
 * role in full, `v` the whole view, `q` quit, `h` help.
 *
 * @module
 */
import type { ReplayedStep } from './replay.js';
import { show } from './replay.js';

export const STEP_HELP = 'commands: n/Enter next · b back · j N jump to step N · r ROLE show a role · v whole view · q quit · h help';

export class StepSession {
  private cursor = 0;

  constructor(private readonly steps: readonly ReplayedStep[]) {
    if (steps.length === 0) throw new Error('no steps to show');
  }

  get position(): number {
    return this.cursor;
  }

  /** The text of the current step: its action and what changed (or the whole view at step 0). */
  current(): string {
    const step = this.steps[this.cursor]!;
    const last = this.steps.length - 1;
    const head = `step ${step.index}/${last}: ${step.action ?? '(initial state)'}`;
    if (step.action === null) return [head, ...this.viewLines(step)].join('\n');
    const changes = step.changes.flatMap((c) => c.fields.map((f) => `  ${c.role}${f.field === '.' ? '' : `.${f.field}`}: ${show(f.before)} → ${show(f.after)}`));
    return [head, ...(changes.length > 0 ? changes : ['  (nothing changed)'])].join('\n');
  }

  /** Apply one command; `quit` is set when the session should end. */
  command(input: string): { readonly text: string; readonly quit: boolean } {
    const [word = '', ...rest] = input.trim().split(/\s+/);
    const arg = rest.join(' ');
    switch (word) {
      case '':
      case 'n':
      case 'next':
        if (this.cursor === this.steps.length - 1) return { text: 'already at the last step', quit: false };
        this.cursor++;
        return { text: this.current(), quit: false };
      case 'b':
      case 'back':
        if (this.cursor === 0) return { text: 'already at the initial state', quit: false };
        this.cursor--;
        return { text: this.current(), quit: false };
      case 'j':
      case 'jump':
        return this.jump(arg);
      case 'r':
      case 'role': {
        const view = this.steps[this.cursor]!.view;
        if (!Object.hasOwn(view, arg)) return { text: `no role "${arg}" (roles: ${Object.keys(view).join(', ')})`, quit: false };
        return { text: `${arg} at step ${this.cursor}: ${show(view[arg])}`, quit: false };
      }
      case 'v':
      case 'view':
        return { text: this.viewLines(this.steps[this.cursor]!).join('\n'), quit: false };
      case 'q':
      case 'quit':
        return { text: '', quit: true };
      case 'h':
      case 'help':
      case '?':
        return { text: STEP_HELP, quit: false };
      default:
        return /^\d+$/.test(word) ? this.jump(word) : { text: `unknown command "${word}"; ${STEP_HELP}`, quit: false };
    }
  }

  private jump(arg: string): { readonly text: string; readonly quit: boolean } {
    const n = Number(arg);
    if (!/^\d+$/.test(arg) || n > this.steps.length - 1) return { text: `no step "${arg}" (0 to ${this.steps.length - 1})`, quit: false };
    this.cursor = n;
    return { text: this.current(), quit: false };
  }

  private viewLines(step: ReplayedStep): string[] {
    return Object.entries(step.view).map(([role, view]) => `  ${role.padEnd(8)} ${show(view)}`);
  }
}
