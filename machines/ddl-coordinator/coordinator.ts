/**
 * The DDL coordinators on the primary shard: one chart per operation (drop and rename of a
 * sharded collection), built from the operation's phases. Guards and actions are implemented in
 * `impl/ddl/coordinator.ts`.
 *
 * Every phase is entered by checkpointing it in the state document (`checkpointK`) and then
 * executing it (`executeK` names what it waits for, `send` sends the commands); a step-up resumes
 * at the checkpointed phase (`resumesAtK`) without checkpointing it again.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import type { CoordinatorContext, CoordinatorEvent } from '../../impl/ddl/coordinator.js';
import { coordinatorImpl, newCoordinatorContext } from '../../impl/ddl/coordinator.js';
import type { DdlKind } from '../../impl/ddl/common.js';
import { INITIAL_UUID, PHASES, UUID_PHASE } from '../../impl/ddl/common.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const coordinator = coordinatorImpl(new Set());

function coordinatorChart(kind: DdlKind): AnyStateMachine {
  const id = `${kind}Coordinator`;
  const phases = PHASES[kind];
  const last = phases.length - 1;
  const request = kind === 'drop' ? '_shardsvrDropCollection' : '_shardsvrRenameCollection';
  const generates = (k: number): string[] => (kind === 'rename' && k === UUID_PHASE ? ['chooseUuid'] : []);
  /** Enter phase k: generate what it generates, checkpoint it, then execute it. */
  const enter = (k: number): string[] => [...generates(k), `checkpoint${k}`, `execute${k}`, 'send'];
  /** Resume at the checkpointed phase k: execute it again (it is idempotent). */
  const resume = (k: number): string[] => [...generates(k), 'resumed', `execute${k}`, 'send'];
  const awaited = { guard: 'isAwaitedReply', actions: ['acceptGossip', 'markReplied'] };
  // A non-retryable error stops the coordinator (none is expected once a destructive step ran: the phases are idempotent).
  const stops = { guard: and(['isAwaitedReply', 'replyFailed']), target: 'finishing', actions: ['acceptGossip', 'markReplied', 'recordReplyError', 'removeDoc'] };

  const phaseStates: Record<string, object> = {};
  for (let k = 1; k <= last; k++) {
    const next = k < last ? phases[k + 1]! : 'finishing';
    const onReply =
      kind === 'rename' && k === 1
        ? [{ guard: and(['isAwaitedReply', 'preconditionsFail']), target: 'finishing', actions: ['acceptGossip', 'markReplied', 'recordError', 'removeDoc'] }, awaited]
        : [stops, awaited];
    const always =
      k === last
        ? kind === 'drop'
          ? // The drop phase in two parts: the sharded catalog first, then the participants.
            { guard: 'allReplied', target: `${phases[k]!}OnShards`, actions: ['executeOnParticipants', 'send'] }
          : { guard: 'allReplied', target: 'finishing', actions: ['removeDoc'] }
        : k + 1 === last
          ? [
              { guard: and(['allReplied', 'releasesLocksEarly']), target: next, actions: [...enter(k + 1), 'releaseLocksNow', 'forgetLocks'] },
              { guard: 'allReplied', target: next, actions: enter(k + 1) },
            ]
          : { guard: 'allReplied', target: next, actions: enter(k + 1) };
    phaseStates[phases[k]!] = { on: { reply: onReply }, always };
    if (k === last && kind === 'drop') phaseStates[`${phases[k]!}OnShards`] = { on: { reply: [stops, awaited] }, always: { guard: 'allReplied', target: 'finishing', actions: ['removeDoc'] } };
  }
  const resumes = [];
  for (let k = last; k >= 1; k--) resumes.push({ guard: `resumesAt${k}`, target: phases[k]!, actions: resume(k) });

  return setup({
    types: {} as RoleTypes<CoordinatorContext, CoordinatorEvent>,
    guards: xstateGuards<CoordinatorContext, CoordinatorEvent, typeof coordinator.guards>(coordinator.guards),
    actions: xstateActions<CoordinatorContext, CoordinatorEvent, unknown, typeof coordinator.updates, typeof coordinator.effects>(coordinator),
  }).createMachine({
    id,
    context: ({ input }: { input: CoordinatorContext | undefined }) =>
      input ?? newCoordinatorContext(kind, { clock: { cluster: 0, config: 0, topology: 0 }, oplog: 0, term: 1, uuidGen: INITIAL_UUID, localLocks: [] }),
    initial: 'starting',
    states: {
      // The service is (re)built: the coordinator of a state document is re-instantiated.
      starting: { always: [{ guard: 'hasDoc', target: 'running.acquiring', actions: 'resumeInstance' }, { target: 'idle' }] },
      idle: {
        id: `${id}-idle`,
        on: {
          [request]: [
            { guard: 'skipsLocks', target: `running.${phases[1]!}`, actions: ['acceptGossip', 'startInstance', 'persistDoc', ...enter(1)] },
            { target: 'running.acquiring', actions: ['acceptGossip', 'startInstance'] },
          ],
        },
      },
      running: {
        // Joinability: the same operation with the same options joins; anything else conflicts.
        on: {
          [request]: [{ guard: 'sameOptions', actions: ['acceptGossip', 'join'] }, { actions: ['acceptGossip', 'replyConflict'] }],
          TIMEOUT: { actions: 'send' },
        },
        initial: 'acquiring',
        states: {
          // The next lock: the shard's in-memory lock (wait while another coordinator holds it), then the distributed one.
          acquiring: {
            always: [
              { guard: and(['moreLocksToTake', 'localLockHeldByOther']), target: 'waitingForLock' },
              { guard: 'moreLocksToTake', target: 'locking', actions: ['takeLocalLock', 'awaitLock', 'send'] },
              ...resumes,
              { target: phases[1]!, actions: ['resumed', 'persistDoc', ...enter(1)] },
            ],
          },
          waitingForLock: { on: { lockFreed: { target: 'acquiring', actions: 'observeLocalLocks' } } },
          locking: {
            on: {
              reply: [
                { guard: and(['isAwaitedReply', 'lockBusy']), actions: ['acceptGossip', 'send'] },
                { guard: 'isAwaitedReply', target: 'acquiring', actions: ['acceptGossip', 'markReplied', 'countLock'] },
              ],
            },
          },
          ...phaseStates,
          finishing: {
            always: [
              { guard: and(['failed', 'leaksLocksOnError']), target: `#${id}-idle`, actions: ['replyWaiters', 'endInstance'] },
              { guard: 'holdsLocks', target: 'releasing', actions: ['awaitRelease', 'send'] },
              { target: `#${id}-idle`, actions: ['replyWaiters', 'endInstance'] },
            ],
          },
          releasing: { on: { reply: { guard: 'isAwaitedReply', target: 'finishing', actions: ['acceptGossip', 'markReplied', 'releaseLocalLock', 'uncountLock'] } } },
        },
      },
    },
  } as never) as unknown as AnyStateMachine;
}

/** The drop-collection coordinator: freeze the collection (block migrations), then drop it from the sharded catalog and every shard. */
export const dropCoordinatorMachine = coordinatorChart('drop');
/**
 * The rename-collection coordinator: check preconditions, freeze migrations, rename on every shard
 * with a new UUID, rename the sharded-catalog entry, unblock migrations.
 */
export const renameCoordinatorMachine = coordinatorChart('rename');
