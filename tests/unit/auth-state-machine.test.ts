import { describe, expect, it } from 'vitest';
import { AuthStateMachine, type AuthEvent } from '../../sw/auth-state-machine.js';
import type { AuthState } from '../../sw/protocol.js';

const NOW = Date.UTC(2030, 0, 1, 12);
const STATES: readonly AuthState[] = ['anonymous', 'authenticated', 'refreshing', 'backoff', 'expired'];
const EVENTS: readonly AuthEvent[] = [
  { type: 'logged-in' },
  { type: 'refresh-started' },
  { type: 'refresh-succeeded' },
  { type: 'refresh-gave-up', until: NOW + 10_000 },
  { type: 'session-ended' },
  { type: 'logged-out' },
];

/** Every move the session may make; any pair not listed leaves the state as it is. */
const ALLOWED: Record<AuthState, Partial<Record<AuthEvent['type'], AuthState>>> = {
  anonymous: { 'logged-in': 'authenticated' },
  authenticated: { 'refresh-started': 'refreshing', 'session-ended': 'expired', 'logged-out': 'anonymous' },
  refreshing: {
    'logged-in': 'authenticated',
    'refresh-succeeded': 'authenticated',
    'refresh-gave-up': 'backoff',
    'session-ended': 'expired',
    'logged-out': 'anonymous',
  },
  backoff: {
    'logged-in': 'authenticated',
    'refresh-started': 'refreshing',
    'refresh-succeeded': 'authenticated',
    'session-ended': 'expired',
    'logged-out': 'anonymous',
  },
  expired: { 'logged-in': 'authenticated', 'logged-out': 'anonymous' },
};

/** A machine in `state` (a backoff lasting until NOW + 10 s), with its changes recorded. */
function machineIn(state: AuthState) {
  const changes: [AuthState, AuthState][] = [];
  const machine = new AuthStateMachine(state, state === 'backoff' ? NOW + 10_000 : 0, (next, previous) => changes.push([next, previous]));
  return { machine, changes };
}

describe('AuthStateMachine: moves', () => {
  const pairs = STATES.flatMap((state) => EVENTS.map((event) => [state, event.type, event] as const));

  it.each(pairs)('%s + %s', (state, _type, event) => {
    const { machine, changes } = machineIn(state);
    const expected = ALLOWED[state][event.type] ?? state;

    const changed = machine.send(event);

    expect(machine.state(NOW)).toBe(expected);
    expect(changed).toBe(expected !== state);
    expect(changes).toEqual(expected === state ? [] : [[expected, state]]);
  });

  it('a late refresh-succeeded after a logout does not bring the session back', () => {
    const { machine } = machineIn('refreshing');
    machine.send({ type: 'logged-out' });
    expect(machine.send({ type: 'refresh-succeeded' })).toBe(false);
    expect(machine.state(NOW)).toBe('anonymous');
    expect(machine.mayRefresh(NOW)).toBe(false);
  });

  it('a refresh-gave-up that is ignored does not set a pause', () => {
    const { machine } = machineIn('authenticated');
    machine.send({ type: 'refresh-gave-up', until: NOW + 60_000 });
    expect(machine.blockedUntil).toBe(0);
    expect(machine.mayRefresh(NOW)).toBe(true);
  });
});

describe('AuthStateMachine: backoff ends by time, without a timer', () => {
  function backedOff() {
    const { machine, changes } = machineIn('refreshing');
    machine.send({ type: 'refresh-gave-up', until: NOW + 5000 });
    changes.length = 0;
    return { machine, changes };
  }

  it('reads as backoff, with no refresh allowed, until the pause is over', () => {
    const { machine, changes } = backedOff();
    expect(machine.state(NOW + 4999)).toBe('backoff');
    expect(machine.blockedUntil).toBe(NOW + 5000);
    expect(machine.mayRefresh(NOW + 4999)).toBe(false);
    expect(changes).toEqual([]);
  });

  it('reads as authenticated from then on, telling its listener once', () => {
    const { machine, changes } = backedOff();
    expect(machine.state(NOW + 5000)).toBe('authenticated');
    expect(machine.blockedUntil).toBe(0);
    expect(machine.mayRefresh(NOW + 6000)).toBe(true);
    expect(machine.state(NOW + 7000)).toBe('authenticated');
    expect(changes).toEqual([['authenticated', 'backoff']]);
  });

  it('mayRefresh itself notices the end of the pause', () => {
    const { machine, changes } = backedOff();
    expect(machine.mayRefresh(NOW + 5000)).toBe(true);
    expect(changes).toEqual([['authenticated', 'backoff']]);
  });

  it('uses the current time by default', () => {
    const machine = new AuthStateMachine('backoff', Date.now() - 1);
    expect(machine.state()).toBe('authenticated');
  });

  it.each([
    ['authenticated', true],
    ['refreshing', true],
    ['anonymous', false],
    ['expired', false],
  ] as const)('mayRefresh in %s is %s', (state, may) => {
    expect(machineIn(state).machine.mayRefresh(NOW)).toBe(may);
  });
});

describe('AuthStateMachine.restore', () => {
  const tokens = { accessToken: 'at-1' };

  it.each([
    ['a session', { tokens, ended: null, refreshBlockedUntil: 0 }, 'authenticated', 0],
    ['a session whose pause ran out', { tokens, ended: null, refreshBlockedUntil: NOW }, 'authenticated', 0],
    ['a paused session', { tokens, ended: null, refreshBlockedUntil: NOW + 1 }, 'backoff', NOW + 1],
    ['no session', { tokens: null, ended: null, refreshBlockedUntil: 0 }, 'anonymous', 0],
    ['a logged-out session', { tokens: null, ended: 'logged-out', refreshBlockedUntil: 0 }, 'anonymous', 0],
    ['a session the server ended', { tokens: null, ended: 'expired', refreshBlockedUntil: 0 }, 'expired', 0],
  ] as const)('from %s → %s', (_case, record, state, blockedUntil) => {
    const changes: AuthState[] = [];
    const machine = new AuthStateMachine('anonymous', 0, (next) => changes.push(next));
    machine.restore(record, NOW);
    expect(machine.state(NOW)).toBe(state);
    expect(machine.blockedUntil).toBe(blockedUntil);
    expect(changes).toEqual([]); // the worker that entered the state announced it
  });

  it('keeps a refresh under way in this worker as refreshing', () => {
    const { machine, changes } = machineIn('refreshing');
    machine.restore({ tokens, ended: null, refreshBlockedUntil: 0 }, NOW);
    expect(machine.state(NOW)).toBe('refreshing');
    expect(changes).toEqual([]);
  });

  it.each([
    ['another worker logged out', { tokens: null, ended: 'logged-out' as const, refreshBlockedUntil: 0 }, 'anonymous'],
    ['another worker paused refreshing', { tokens, ended: null, refreshBlockedUntil: NOW + 1000 }, 'backoff'],
    ['another worker saw the session end', { tokens: null, ended: 'expired' as const, refreshBlockedUntil: 0 }, 'expired'],
  ] as const)('but follows the store while refreshing when %s', (_case, record, state) => {
    const { machine } = machineIn('refreshing');
    machine.restore(record, NOW);
    expect(machine.state(NOW)).toBe(state);
  });

  it('ends a backoff this worker is in when the store says the pause was lifted', () => {
    const { machine } = machineIn('backoff');
    machine.restore({ tokens, ended: null, refreshBlockedUntil: 0 }, NOW);
    expect(machine.state(NOW)).toBe('authenticated');
    expect(machine.blockedUntil).toBe(0);
  });
});
