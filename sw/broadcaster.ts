import { MESSAGE_SOURCE, isBroadcastMessage, type BroadcastEventMap, type BroadcastMessage, type BroadcastType } from './protocol.js';

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
