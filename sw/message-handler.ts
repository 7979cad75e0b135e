import { AuthProxyError } from './errors/auth-proxy-error.js';
import {
  MESSAGE_SOURCE,
  PROTOCOL_VERSION,
  assertNever,
  type ClientRequest,
  type Reply,
  type RequestMap,
  type RequestType,
} from './protocol.js';
import { VERSION } from './version.js';

/**
 * One handler per command. `keepAlive` extends the message event's lifetime for work that goes on
 * after the answer (a refresh started by `visible`), so the browser does not stop the worker
 * halfway through it.
 */
export type CommandHandlers = {
  [K in RequestType]: (
    payload: RequestMap[K]['request'],
    client: Client,
    keepAlive: (promise: Promise<unknown>) => void,
  ) => Promise<RequestMap[K]['response']>;
};

function isClientRequest(data: unknown): data is ClientRequest {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { source?: unknown }).source === MESSAGE_SOURCE &&
    typeof (data as { type?: unknown }).type === 'string'
  );
}

/**
 * Answers page → worker commands. Only a window or worker of this origin that sent a well-formed
 * message with a reply port is answered; anything else is ignored. No command can change the
 * config: there is no such command.
 */
export class MessageHandler {
  readonly #handlers: CommandHandlers;
  readonly #selfOrigin: string;

  constructor(handlers: CommandHandlers, selfOrigin: string) {
    this.#handlers = handlers;
    this.#selfOrigin = selfOrigin;
  }

  /** The `message` event listener. */
  readonly handleEvent = (event: ExtendableMessageEvent): void => {
    const source = event.source;
    const port = event.ports[0];
    // Another worker (a ServiceWorker source) or a foreign message is not a client of ours.
    if (!source || !('type' in source) || !('url' in source) || port === undefined) return;
    if (source.type !== 'window' && source.type !== 'worker') return;
    if (new URL(source.url).origin !== this.#selfOrigin) return;
    if (!isClientRequest(event.data)) return;
    const keepAlive = (promise: Promise<unknown>): void => event.waitUntil(promise.catch(() => undefined));
    event.waitUntil(this.#answer(event.data, source, port, keepAlive));
  };

  async #answer(request: ClientRequest, client: Client, port: MessagePort, keepAlive: (promise: Promise<unknown>) => void): Promise<void> {
    let reply: Reply;
    try {
      reply = { ok: true, type: request.type, payload: await this.#dispatch(request, client, keepAlive) } as Reply;
    } catch (error) {
      const wire =
        error instanceof AuthProxyError
          ? error.toWire()
          : {
              name: 'AuthProxyError',
              message: `Failed to answer "${request.type}": ${error instanceof Error ? error.name : 'unknown error'}`,
            };
      reply = { ok: false, type: request.type, error: wire };
    }
    port.postMessage(reply);
  }

  #dispatch(request: ClientRequest, client: Client, keepAlive: (promise: Promise<unknown>) => void): Promise<unknown> {
    switch (request.type) {
      case 'hello':
        return this.#handlers.hello(request.payload, client, keepAlive);
      case 'status':
        return this.#handlers.status(request.payload, client, keepAlive);
      case 'logout':
        return this.#handlers.logout(request.payload, client, keepAlive);
      case 'set-debug':
        return this.#handlers['set-debug'](request.payload, client, keepAlive);
      case 'visible':
        return this.#handlers.visible(request.payload, client, keepAlive);
      case 'dpop-thumbprint':
        return this.#handlers['dpop-thumbprint'](request.payload, client, keepAlive);
      default:
        return assertNever(request);
    }
  }
}

/** The answer to `hello`, after which the page is controlled. */
export function helloReply(client: { readonly id: string }, logoutTimeoutMs: number): RequestMap['hello']['response'] {
  return { version: VERSION, protocol: PROTOCOL_VERSION, clientId: client.id, logoutTimeoutMs };
}
