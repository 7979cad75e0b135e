/**
 * fake-indexeddb schedules its work with `setImmediate`, which these tests never fake, so yielding
 * to it lets IndexedDB and promise chains make progress while fake timers stay frozen.
 */
const nextTask = (): Promise<void> =>
  new Promise((resolve) => (globalThis as unknown as { setImmediate(callback: () => void): void }).setImmediate(resolve));

/**
 * Resolve once `condition()` holds, letting other work run in between; throw if it never does.
 * A wait for a condition, not for time: it never advances a clock.
 */
export async function eventually(condition: () => boolean, what: string, maxTasks = 10_000): Promise<void> {
  for (let i = 0; i < maxTasks; i++) {
    if (condition()) return;
    await nextTask();
  }
  throw new Error(`Never happened: ${what}`);
}

/** Let every task that is ready run (IndexedDB, responses), then return; for "nothing happened" checks. */
export async function settle(tasks = 50): Promise<void> {
  for (let i = 0; i < tasks; i++) await nextTask();
}
