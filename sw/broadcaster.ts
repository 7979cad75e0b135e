import { MESSAGE_SOURCE, type BroadcastEventMap, type BroadcastMessage, type BroadcastType } from './protocol.js';

/** Recognises our broadcasts among whatever else is posted on the channel. */
export function isBroadcastMessage(data: unknown): data is BroadcastMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { source?: unknown }).source === MESSAGE_SOURCE &&
    typeof (data as { type?: unknown }).type === 'string' &&
    typeof (data as { payload?: unknown }).payload === 'object'
  );
}

/**
 * Tells every tab what happened, over one BroadcastChannel. It also hears what other workers of
 * the origin announce (an old and a new version overlap during an update), so this worker can drop
 * its cached session when another one changed it.
 */
export class Broadcaster {
  readonly #channel: BroadcastChannel;

  constructor(channelName: string, onPeerMessage: (message: BroadcastMessage) => void) {
    this.#channel = new BroadcastChannel(channelName);
    // A BroadcastChannel never delivers a message to the object that posted it, so what arrives
    // here comes from another context.
    this.#channel.onmessage = (event: MessageEvent<unknown>) => {
      if (isBroadcastMessage(event.data)) onPeerMessage(event.data);
    };
  }

  announce<K extends BroadcastType>(type: K, payload: BroadcastEventMap[K]): void {
    this.#channel.postMessage({ source: MESSAGE_SOURCE, type, payload });
  }

  dispose(): void {
    this.#channel.close();
  }
}
