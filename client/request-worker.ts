import { ProxyTimeoutError } from '../sw/errors/proxy-timeout-error.js';
import { MESSAGE_SOURCE, type Reply, type RequestMap, type RequestType } from '../sw/protocol.js';
import { rebuildError } from './rebuild-error.js';

/**
 * Ask the worker something over a fresh MessageChannel and wait for its reply, never longer than
 * `timeoutMs` (a worker that was stopped mid-request, or an old version that does not know the
 * command, must not leave the page waiting forever). The reply can only come from the worker we
 * handed the port to.
 */
export function requestWorker<K extends RequestType>(
  worker: ServiceWorker,
  type: K,
  payload: RequestMap[K]['request'],
  timeoutMs: number,
): Promise<RequestMap[K]['response']> {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      channel.port1.close();
      reject(new ProxyTimeoutError(`Failed to ${type}: the service worker did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    channel.port1.onmessage = (event: MessageEvent<Reply<K>>) => {
      clearTimeout(timer);
      channel.port1.close();
      const reply = event.data;
      if (reply.ok) resolve(reply.payload);
      else reject(rebuildError(reply.error));
    };
    worker.postMessage({ source: MESSAGE_SOURCE, type, payload }, [channel.port2]);
  });
}
