import { MESSAGE_SOURCE } from '../sw/protocol.js';
import type { MemoryRefreshToken, RefreshTokenHandover } from '../sw/token-store.js';

/** How long a tab that lacks the refresh token waits for another tab to hand it over. */
export const RECALL_TIMEOUT_MS = 1000;

type HandoverMessage =
  | { source: typeof MESSAGE_SOURCE; type: 'refresh-token'; kept: MemoryRefreshToken }
  | { source: typeof MESSAGE_SOURCE; type: 'refresh-token-wanted'; generation: number; session: string };

function isHandoverMessage(data: unknown): data is HandoverMessage {
  const message = data as { source?: unknown; type?: unknown } | null;
  return typeof message === 'object' && message !== null && message.source === MESSAGE_SOURCE && typeof message.type === 'string';
}

/**
 * Page mode's `'memory'` refresh token, shared between the tabs' engines over a channel of their
 * own, apart from the event channel (which never carries a token and which the client bridges to
 * the app). Each tab holds the token in its memory only, never in web storage: a new one is handed
 * to every open tab, and a tab opened later asks for it. When the last tab holding it closes, the
 * session ends at its next refresh, as it does when a worker in memory mode stops.
 *
 * In page mode any script of the origin can read what the engine holds (it can wrap `fetch` too),
 * so this channel exposes nothing page mode does not; a worker never takes part.
 */
export class BroadcastHandover implements RefreshTokenHandover {
  readonly #channel: BroadcastChannel;
  readonly #held: () => MemoryRefreshToken | undefined;
  readonly #waiting = new Set<(kept: MemoryRefreshToken) => void>();

  /**
   * @param held what this tab holds, for a tab that asks.
   * @param adopt a token another tab handed over.
   */
  constructor(channelName: string, held: () => MemoryRefreshToken | undefined, adopt: (kept: MemoryRefreshToken) => void) {
    this.#held = held;
    this.#channel = new BroadcastChannel(`${channelName}:refresh-token`);
    this.#channel.onmessage = (event: MessageEvent<unknown>) => {
      const message = event.data;
      if (!isHandoverMessage(message)) return;
      if (message.type === 'refresh-token') {
        adopt(message.kept);
        for (const waiter of this.#waiting) waiter(message.kept);
        return;
      }
      const kept = this.#held();
      if (kept !== undefined && kept.generation === message.generation && kept.session === message.session) this.publish(kept);
    };
  }

  publish(kept: MemoryRefreshToken): void {
    this.#channel.postMessage({ source: MESSAGE_SOURCE, type: 'refresh-token', kept } satisfies HandoverMessage);
  }

  recall(generation: number, session: string): Promise<string | null> {
    return new Promise((resolve) => {
      const done = (token: string | null): void => {
        clearTimeout(timer);
        this.#waiting.delete(waiter);
        resolve(token);
      };
      const waiter = (kept: MemoryRefreshToken): void => {
        if (kept.generation === generation && kept.session === session) done(kept.token);
      };
      const timer = setTimeout(() => done(null), RECALL_TIMEOUT_MS);
      this.#waiting.add(waiter);
      this.#channel.postMessage({ source: MESSAGE_SOURCE, type: 'refresh-token-wanted', generation, session } satisfies HandoverMessage);
    });
  }

  dispose(): void {
    this.#channel.close();
  }
}
