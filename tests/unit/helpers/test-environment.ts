import { globalEnvironment, type Environment } from '../../../sw/environment.js';
import type { FakeNetwork } from './fake-network.js';
import type { MemoryLocks } from './memory-locks.js';
import type { recordedSleep } from './recorded-sleep.js';

/**
 * The real environment (clock, timers, crypto) with the network, the locks and the retry delays
 * of a test. A sleep without a signal is a refresher's retry delay: it is recorded and skipped, so
 * retries take no time and every delay can be checked. A sleep with a signal is a bounded wait (a
 * request's refresh budget, a store operation's bound, an `apiRetry` delay): it runs on the
 * timers, which the tests that care about it fake and move themselves.
 */
export function testEnvironment({
  network,
  locks,
  sleeps,
  random = () => 0.5,
}: {
  network: FakeNetwork;
  locks: MemoryLocks;
  sleeps: ReturnType<typeof recordedSleep>;
  random?: () => number;
}): Environment {
  const real = globalEnvironment();
  return {
    ...real,
    sleep: (ms, signal) => (signal ? real.sleep(ms, signal) : sleeps.sleep(ms)),
    random,
    locks,
    fetch: network.fetch,
  };
}
