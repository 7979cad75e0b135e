import { AuthStateMachine } from '../../../sw/auth-state-machine.js';
import type { ResolvedConfig } from '../../../sw/config.js';
import type { AuthState } from '../../../sw/protocol.js';
import { RefreshLock } from '../../../sw/refresh-lock.js';
import { Refresher } from '../../../sw/refresher.js';
import { TokenStore } from '../../../sw/token-store.js';
import { FakeNetwork } from './fake-network.js';
import { recordAnnouncements, testConfig, tokenSet, type ConfigOverrides } from './fixtures.js';
import { MemoryLocks } from './memory-locks.js';
import { recordedSleep } from './recorded-sleep.js';
import { testEnvironment } from './test-environment.js';

/**
 * A worker started afresh on the database of `config`: its own store, state machine and lock,
 * the same network. Its state is restored from the store as of `now`.
 */
export async function restartedWorker(config: ResolvedConfig, network: FakeNetwork, now = Date.now()) {
  const store = new TokenStore(config.databaseName, config.refreshTokenStorage);
  const machine = new AuthStateMachine('anonymous', 0);
  machine.restore(await store.read(), now);
  const announcements = recordAnnouncements();
  const refresher = new Refresher({
    config,
    store,
    machine,
    announce: announcements.announce,
    env: testEnvironment({ network, locks: new MemoryLocks(), sleeps: recordedSleep() }),
    lock: new RefreshLock(null, config.databaseName),
  });
  return { store, machine, refresher, announcements };
}

/** The jitter every harness refresher draws: half of each range, so delays are exact and mid-range. */
export const RANDOM = 0.5;

/**
 * A logged-in worker (`at-1`/`rt-1`, generation 1) whose refresher talks to a fake network under
 * an in-memory lock, with a recorded `sleep` (resolves at once) and fixed jitter, so retries take
 * no time and every delay is known.
 */
export async function refresherHarness(overrides: ConfigOverrides = {}, { login = true } = {}) {
  const config = testConfig(overrides);
  const store = new TokenStore(config.databaseName, config.refreshTokenStorage, {
    refreshAhead: config.refreshAhead,
    random: () => RANDOM,
  });
  const network = new FakeNetwork();
  const locks = new MemoryLocks();
  const announcements = recordAnnouncements();
  const states: AuthState[] = [];
  const machine = new AuthStateMachine('anonymous', 0, (state) => states.push(state));
  const sleeps = recordedSleep();
  const attempts: string[] = [];
  const env = testEnvironment({ network, locks, sleeps, random: () => RANDOM });
  const lock = new RefreshLock(locks, config.databaseName);
  const refresher = new Refresher({
    config,
    store,
    machine,
    announce: announcements.announce,
    env,
    lock,
    onAttempt: (outcome) => attempts.push(outcome),
  });
  if (login) {
    await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1' }), false);
    machine.send({ type: 'logged-in' });
  }
  const lockName = `sw-auth-proxy:refresh:${config.databaseName}`;
  /** Another worker version of the same origin: same database, same lock, its own memory. */
  const otherWorker = async () => {
    const otherStore = new TokenStore(config.databaseName, config.refreshTokenStorage);
    const otherMachine = new AuthStateMachine('anonymous', 0);
    otherMachine.restore(await otherStore.read());
    const otherRefresher = new Refresher({
      config,
      store: otherStore,
      machine: otherMachine,
      announce: () => undefined,
      env,
      lock,
    });
    return { store: otherStore, machine: otherMachine, refresher: otherRefresher };
  };
  return { config, store, network, locks, env, lock, announcements, states, machine, sleeps, attempts, refresher, lockName, otherWorker };
}
