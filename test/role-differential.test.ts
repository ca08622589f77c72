/**
 * Each role's compiled stepper agrees with XState's `transition()`: same enabledness, state value,
 * context and effects, on random event sequences from reachable snapshots, bugs on and off.
 */
import { describe, expect, it } from 'vitest';
import type { RMEvent, TMEvent } from '../impl/two-phase.js';
import { RM_CONTEXT, rmImpl, TM_CONTEXT, tmImpl } from '../impl/two-phase.js';
import { compileRole } from '../machines/compile.js';
import { rmMachine, tmMachine } from '../machines/two-phase.js';
import { TWO_PHASE_BUGS } from '../protocols/two-phase.js';
import { expectCompiledMatchesXState } from './support/differential.js';
import type { ClientEvent, ConfigEvent, RouterEvent, ShardEvent } from '../impl/vector-clock.js';
import { clientImpl, configImpl, messageEvent, newConfigServer, newShard, routerImpl, shardImpl } from '../impl/vector-clock.js';
import { ZERO_TIME } from '../impl/logical-time.js';
import type { Gossip } from '../impl/logical-time.js';
import type { Message } from '../impl/world/network.js';
import { request } from '../impl/world/network.js';
import { clientMachine, configMachine, routerMachine, shardMachine } from '../machines/vector-clock.js';
import { CLIENT_COMMANDS, VECTOR_CLOCK_BUGS } from '../protocols/vector-clock.js';

const bugSets: ReadonlySet<string>[] = [new Set(), ...TWO_PHASE_BUGS.map((b) => new Set([b.id]))];

describe('TwoPhase roles: compiled stepper = XState transition()', () => {
  const rmEvents: RMEvent[] = [
    { type: 'PREPARE', rm: 0 },
    { type: 'PREPARE', rm: 2 },
    { type: 'CHOOSE_ABORT' },
    { type: 'RCV_COMMIT' },
    { type: 'RCV_ABORT' },
  ];
  const tmEvents: TMEvent[] = [{ type: 'PREPARED', rm: 0 }, { type: 'PREPARED', rm: 1 }, { type: 'PREPARED', rm: 2 }, { type: 'COMMIT' }, { type: 'ABORT' }];
  for (const bugs of bugSets) {
    const label = bugs.size === 0 ? 'no bugs' : [...bugs].join(',');
    it(`rm (${label})`, () => {
      const impl = rmImpl(bugs);
      const steps = expectCompiledMatchesXState({ machine: rmMachine, impl, compiled: compileRole('rm', rmMachine, impl), initialContexts: [RM_CONTEXT], events: rmEvents });
      expect(steps).toBeGreaterThan(300);
    });
    it(`tm (${label})`, () => {
      const impl = tmImpl(bugs, 3);
      const steps = expectCompiledMatchesXState({ machine: tmMachine, impl, compiled: compileRole('tm', tmMachine, impl), initialContexts: [TM_CONTEXT], events: tmEvents });
      expect(steps).toBeGreaterThan(300);
    });
  }
});

describe('the differential property can fail', () => {
  it('a stepper compiled against another implementation is caught', () => {
    const buggy = rmImpl(new Set(['rm-abort-after-prepare']));
    const events: RMEvent[] = [{ type: 'PREPARE', rm: 0 }, { type: 'CHOOSE_ABORT' }];
    expect(() =>
      expectCompiledMatchesXState({ machine: rmMachine, impl: rmImpl(new Set()), compiled: compileRole('rm', rmMachine, buggy), initialContexts: [RM_CONTEXT], events }),
    ).toThrow(/Property failed/);
  });
});

describe('vector-clock roles (compound, parallel, eventless transitions): compiled stepper = XState transition()', () => {
  const gossips: Gossip[] = [
    { $clusterTime: 0 },
    { $clusterTime: 3 },
    { $clusterTime: 2, $configTime: 2, $topologyTime: 1 },
    { $clusterTime: 5, $configTime: 4, $topologyTime: 4 },
  ];
  const response = (id: string, from: string, to: string, g: Gossip, data: unknown = null): Message => ({ kind: 'response', id, from, to, status: 'ok', data, gossip: g });
  const clientEvents: ClientEvent[] = [
    ...CLIENT_COMMANDS.map((cmd): ClientEvent => ({ type: 'SUBMIT', cmd })),
    ...gossips.flatMap((g) => ['op1', 'op2'].map((id): ClientEvent => ({ type: 'response', msg: response(id, 'router', 'client', { $clusterTime: g.$clusterTime }) }))),
    { type: 'TIMEOUT' },
  ];
  const routerEvents: RouterEvent[] = [
    ...CLIENT_COMMANDS.flatMap((cmd) => ['op1', 'op2'].map((id) => messageEvent(request(id, 'client', 'router', cmd, { $clusterTime: 2 })))),
    ...gossips.flatMap((g) => ['op1', 'op2'].map((id) => messageEvent(response(id, 'shard0', 'router', g)))),
    { type: 'TIMEOUT' },
  ];
  const shardEvents: ShardEvent[] = [
    ...gossips.map((g) => messageEvent(request('op1', 'router', 'shard0', { name: 'write', shard: 'shard0' }, g))),
    ...gossips.map((g) => messageEvent(response('refresh-shard0', 'config', 'shard0', g, { shards: ['shard0'], topologyTime: g.$topologyTime ?? 0 }))),
    messageEvent(response('op1', 'config', 'shard0', gossips[3]!)),
    { type: 'REFRESH' },
    { type: 'TIMEOUT' },
  ];
  const configEvents: ConfigEvent[] = [
    ...gossips.flatMap((g) =>
      ['_configsvrAddShard', '_configsvrRemoveShard'].map((name) => messageEvent(request('op1', 'router', { anyOf: ['config'] }, { name, shard: 'shard1' }, g))),
    ),
    messageEvent(request('refresh-shard0', 'shard0', { anyOf: ['config'] }, { name: 'find', collection: 'config.shards', afterOpTime: 0 }, gossips[2]!)),
    { type: 'BALANCER_ROUND' },
    { type: 'MAJORITY_COMMIT' },
    { type: 'MAJORITY_COMMIT' },
  ];
  const vcBugSets: ReadonlySet<string>[] = [new Set(), ...VECTOR_CLOCK_BUGS.map((b) => new Set([b.id]))];
  for (const bugs of vcBugSets) {
    const label = bugs.size === 0 ? 'no bugs' : [...bugs].join(',');
    it(`client, router, shard, config (${label})`, () => {
      const client = clientImpl();
      expectCompiledMatchesXState({
        machine: clientMachine,
        impl: client,
        compiled: compileRole('client', clientMachine, client),
        initialContexts: [{ clusterTime: 0, opsLeft: 2, opCount: 0 }],
        events: clientEvents,
      }, 100);
      const router = routerImpl(bugs);
      expectCompiledMatchesXState({
        machine: routerMachine,
        impl: router,
        compiled: compileRole('router', routerMachine, router),
        initialContexts: [{ clock: ZERO_TIME, pending: null }],
        events: routerEvents,
      }, 100);
      const shard = shardImpl(bugs);
      expectCompiledMatchesXState({
        machine: shardMachine,
        impl: shard,
        compiled: compileRole('shard', shardMachine, shard),
        initialContexts: [newShard('shard0')],
        events: shardEvents,
      }, 100);
      const config = configImpl(bugs);
      const steps = expectCompiledMatchesXState({
        machine: configMachine,
        impl: config,
        compiled: compileRole('config', configMachine, config),
        initialContexts: [newConfigServer(['shard0'], 1), newConfigServer(['shard0', 'shard1'], 2)],
        events: configEvents,
      }, 100);
      expect(steps).toBeGreaterThan(100);
    });
  }
});
