import type { StormClient, StormOptions, StormTabResult } from './bench-page-api.js';
import { createAxiosStormClient } from './axios-storm-client.js';
import { loadTokens } from './local-storage-tokens.js';
import { createNaiveStormClient } from './naive-storm-client.js';

/** Every armed tab of the origin listens here; one tab's `go` starts them all at once. */
const CHANNEL_NAME = 'sw-auth-proxy-bench.storm';

/** Epoch milliseconds with sub-millisecond precision, comparable across tabs. */
const now = (): number => performance.timeOrigin + performance.now();

function createClient(client: StormClient): (url: string) => Promise<number> {
  switch (client) {
    case 'proxy':
      return (url) =>
        fetch(url).then(
          (response) => response.status,
          () => 0,
        );
    case 'axios':
      return createAxiosStormClient({ deduplicateRefresh: true });
    case 'axios-no-dedupe':
      return createAxiosStormClient({ deduplicateRefresh: false });
    case 'naive':
      return createNaiveStormClient();
    case 'floor':
      return (url) =>
        fetch(url, { headers: { Authorization: `Bearer ${loadTokens()?.accessToken ?? ''}` } }).then(
          (response) => response.status,
          () => 0,
        );
    default: {
      const unknown: never = client;
      throw new Error(`Failed to create a storm client: unknown client ${String(unknown)}`);
    }
  }
}

/**
 * One tab's part of an expiry storm. Tabs are armed first (each waits on a BroadcastChannel), then
 * one `go` starts every tab within a message hop, closer together than separate calls from the
 * runner could.
 */
export class StormTab {
  #channel: BroadcastChannel | undefined;
  #fire: (() => void) | undefined;
  #result: Promise<StormTabResult> | undefined;

  arm(options: StormOptions): void {
    this.#channel?.close();
    const get = createClient(options.client);
    let fire!: () => void;
    const go = new Promise<void>((resolve) => (fire = resolve));
    this.#fire = fire;
    this.#channel = new BroadcastChannel(CHANNEL_NAME);
    this.#channel.onmessage = () => fire();
    this.#result = go.then(async () => {
      this.#channel?.close();
      const startedAt = now();
      let settledAt = startedAt;
      const deadline = new Promise<number>((resolve) => setTimeout(() => resolve(-1), options.deadlineMs));
      const statuses = await Promise.all(
        Array.from({ length: options.requests }, (_, index) =>
          Promise.race([get(`/api/items/${index}`), deadline]).then((status) => {
            settledAt = Math.max(settledAt, now());
            return status;
          }),
        ),
      );
      const ok = statuses.filter((status) => status === 200).length;
      const counts: Record<string, number> = {};
      for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
      return { ok, failed: statuses.length - ok, statuses: counts, startedAt, settledAt };
    });
  }

  go(): number {
    if (this.#fire === undefined || this.#channel === undefined) throw new Error('Failed to start the storm: not armed');
    const at = now();
    this.#channel.postMessage('go');
    this.#fire();
    return at;
  }

  result(): Promise<StormTabResult> {
    if (this.#result === undefined) return Promise.reject(new Error('Failed to read the storm result: not armed'));
    return this.#result;
  }
}
