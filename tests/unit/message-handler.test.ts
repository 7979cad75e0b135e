import { describe, expect, it, vi } from 'vitest';
import { RefreshFailedError } from '../../sw/errors/refresh-failed-error.js';
import { MessageHandler, helloReply, type CommandHandlers } from '../../sw/message-handler.js';
import { MESSAGE_SOURCE, PROTOCOL_VERSION, type AuthStatus, type Reply } from '../../sw/protocol.js';
import { ProxyStatus } from '../../sw/proxy-status.js';
import { VERSION } from '../../sw/version.js';
import { deferred } from './helpers/deferred.js';
import { eventually, settle } from './helpers/eventually.js';
import { APP_ORIGIN } from './helpers/fixtures.js';

const STATUS: AuthStatus = new ProxyStatus().snapshot(
  {
    generation: 3,
    tokens: null,
    ended: 'expired',
    refreshBlockedUntil: 0,
    failedCycles: 0,
    failingSince: 0,
    serverTimeOffsetMs: 0,
    pendingRefreshKey: null,
    updatedAt: 1,
  },
  'expired',
  0,
  false,
  0,
);

function windowClient(overrides: Record<string, unknown> = {}): Client {
  return { type: 'window', url: `${APP_ORIGIN}/dashboard`, id: 'client-1', frameType: 'top-level', ...overrides } as unknown as Client;
}

/** A reply port that records what the worker posts. */
function replyPort(): { port: MessagePort; replies: Reply[] } {
  const replies: Reply[] = [];
  const port = { postMessage: (reply: Reply) => replies.push(reply) } as unknown as MessagePort;
  return { port, replies };
}

function setup(handlers: Partial<CommandHandlers> = {}) {
  const calls = { hello: vi.fn(), status: vi.fn(), logout: vi.fn(), setDebug: vi.fn(), visible: vi.fn() };
  const all: CommandHandlers = {
    hello: async (payload, client) => {
      calls.hello(payload, client);
      return helloReply(client, 70_000);
    },
    status: async (payload, client) => {
      calls.status(payload, client);
      return STATUS;
    },
    logout: async (payload, client) => {
      calls.logout(payload, client);
      return { revoked: payload.revoke };
    },
    'set-debug': async (payload, client) => {
      calls.setDebug(payload, client);
      return { enabled: payload.enabled };
    },
    visible: async (payload, client) => {
      calls.visible(payload, client);
      return { refreshing: true };
    },
    'dpop-thumbprint': async () => ({ thumbprint: 'jkt-1' }),
    ...handlers,
  };
  const handler = new MessageHandler(all, APP_ORIGIN);
  const { port, replies } = replyPort();

  /** Deliver a message event; resolves once everything passed to waitUntil has settled. */
  const deliver = async (data: unknown, { source = windowClient() as unknown, ports = [port] as readonly MessagePort[] } = {}) => {
    const waits: Promise<unknown>[] = [];
    const event = { data, source, ports, waitUntil: (promise: Promise<unknown>) => waits.push(promise) };
    handler.handleEvent(event as unknown as ExtendableMessageEvent);
    await Promise.all(waits);
    return waits.length;
  };
  return { calls, deliver, replies };
}

const request = (type: string, payload: unknown) => ({ source: MESSAGE_SOURCE, type, payload });

describe('MessageHandler: answers', () => {
  it('answers hello with the worker version, protocol and the client id', async () => {
    const { deliver, replies, calls } = setup();
    await deliver(request('hello', { clientVersion: VERSION, protocol: PROTOCOL_VERSION }));

    expect(replies).toEqual([
      { ok: true, type: 'hello', payload: { version: VERSION, protocol: PROTOCOL_VERSION, clientId: 'client-1', logoutTimeoutMs: 70_000 } },
    ]);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(calls.hello).toHaveBeenCalledWith({ clientVersion: VERSION, protocol: PROTOCOL_VERSION }, windowClient());
  });

  it('answers status', async () => {
    const { deliver, replies } = setup();
    await deliver(request('status', null));
    expect(replies).toEqual([{ ok: true, type: 'status', payload: STATUS }]);
  });

  it('answers logout with what the handler returned', async () => {
    const { deliver, replies, calls } = setup();
    await deliver(request('logout', { revoke: true }));
    expect(calls.logout).toHaveBeenCalledTimes(1);
    expect(replies).toEqual([{ ok: true, type: 'logout', payload: { revoked: true } }]);
  });

  it('answers set-debug with what the handler returned', async () => {
    const { deliver, replies, calls } = setup();
    await deliver(request('set-debug', { enabled: true }));
    expect(calls.setDebug).toHaveBeenCalledWith({ enabled: true }, windowClient());
    expect(replies).toEqual([{ ok: true, type: 'set-debug', payload: { enabled: true } }]);
  });

  it('answers visible, telling the handler which tab became visible', async () => {
    const { deliver, replies, calls } = setup();
    await deliver(request('visible', null), { source: windowClient({ id: 'tab-9' }) });
    expect(calls.visible).toHaveBeenCalledWith(null, windowClient({ id: 'tab-9' }));
    expect(replies).toEqual([{ ok: true, type: 'visible', payload: { refreshing: true } }]);
  });

  it('answers dpop-thumbprint with the key the next login is bound to', async () => {
    const { deliver, replies } = setup();
    await deliver(request('dpop-thumbprint', null));
    expect(replies).toEqual([{ ok: true, type: 'dpop-thumbprint', payload: { thumbprint: 'jkt-1' } }]);
  });

  it('keepAlive extends the event for work that goes on after the answer, and swallows its failure', async () => {
    const work = deferred<never>();
    const handler = new MessageHandler(
      {
        hello: async (_payload, client) => helloReply(client, 70_000),
        status: async () => STATUS,
        logout: async () => ({ revoked: false }),
        'set-debug': async ({ enabled }) => ({ enabled }),
        visible: async (_payload, _client, keepAlive) => {
          keepAlive(work.promise);
          return { refreshing: true };
        },
        'dpop-thumbprint': async () => ({ thumbprint: null }),
      },
      APP_ORIGIN,
    );
    const { port, replies } = replyPort();
    const waits: Promise<unknown>[] = [];
    handler.handleEvent({
      data: request('visible', null),
      source: windowClient(),
      ports: [port],
      waitUntil: (p: Promise<unknown>) => waits.push(p),
    } as unknown as ExtendableMessageEvent);

    await eventually(() => replies.length === 1, 'the answer is posted');
    expect(replies).toEqual([{ ok: true, type: 'visible', payload: { refreshing: true } }]);
    expect(waits).toHaveLength(2);
    let settled = 0;
    for (const wait of waits) void wait.then(() => settled++);
    await settle();
    expect(settled).toBe(1); // the answer, not the work
    work.reject(new Error('the refresh failed'));
    await expect(Promise.all(waits)).resolves.toBeDefined();
    expect(settled).toBe(2);
  });

  it('answers a dedicated worker of the origin too', async () => {
    const { deliver, replies } = setup();
    await deliver(request('status', null), { source: windowClient({ type: 'worker', url: `${APP_ORIGIN}/worker.js` }) });
    expect(replies).toHaveLength(1);
  });

  it('an unknown type gets an error reply', async () => {
    const { deliver, replies, calls } = setup();
    await deliver(request('setConfig', { protectedOrigins: ['https://evil.test'] }));
    expect(replies).toEqual([
      { ok: false, type: 'setConfig', error: { name: 'AuthProxyError', message: 'Failed to answer "setConfig": TypeError' } },
    ]);
    for (const call of Object.values(calls)) expect(call).not.toHaveBeenCalled();
  });

  it('a failing handler`s AuthProxyError crosses as { name, message }', async () => {
    const { deliver, replies } = setup({
      logout: async () => {
        throw new RefreshFailedError('Failed to log out: the server answered 500');
      },
    });
    await deliver(request('logout', { revoke: false }));
    expect(replies).toEqual([
      { ok: false, type: 'logout', error: { name: 'RefreshFailedError', message: 'Failed to log out: the server answered 500' } },
    ]);
  });

  it('any other error crosses by name only, so its message (which might hold a token) stays in the worker', async () => {
    const { deliver, replies } = setup({
      status: async () => {
        throw new RangeError('at-secret-token was not expected here');
      },
    });
    await deliver(request('status', null));
    expect(replies).toEqual([
      { ok: false, type: 'status', error: { name: 'AuthProxyError', message: 'Failed to answer "status": RangeError' } },
    ]);
  });
});

describe('MessageHandler: messages it ignores', () => {
  const serviceWorker = { scriptURL: `${APP_ORIGIN}/auth-sw.js`, state: 'activated', postMessage: () => undefined };
  const messagePort = { postMessage: () => undefined, start: () => undefined };

  it.each([
    ['without the source tag', { type: 'status', payload: null }, {}],
    ['with another source tag', { source: 'other-lib', type: 'status', payload: null }, {}],
    ['whose type is not a string', { source: MESSAGE_SOURCE, type: 1, payload: null }, {}],
    ['that is not an object', 'status', {}],
    ['that is null', null, {}],
    ['without a reply port', request('status', null), { ports: [] }],
    ['without a source', request('status', null), { source: null }],
    ['from another service worker', request('logout', { revoke: true }), { source: serviceWorker }],
    ['from a MessagePort', request('logout', { revoke: true }), { source: messagePort }],
    ['from a shared worker', request('status', null), { source: windowClient({ type: 'sharedworker' }) }],
    ['from a window of another origin', request('logout', { revoke: true }), { source: windowClient({ url: 'https://evil.test/' }) }],
    [
      'from a lookalike origin',
      request('logout', { revoke: true }),
      { source: windowClient({ url: 'https://app.example.com.evil.test/' }) },
    ],
    ['set-debug from another origin', request('set-debug', { enabled: true }), { source: windowClient({ url: 'https://evil.test/' }) }],
    ['visible from another service worker', request('visible', null), { source: serviceWorker }],
  ])('ignores a message %s', async (_case, data, options) => {
    const { deliver, replies, calls } = setup();
    const waited = await deliver(data, options as { source?: unknown; ports?: readonly MessagePort[] });
    expect(waited).toBe(0);
    expect(replies).toEqual([]);
    for (const call of Object.values(calls)) expect(call).not.toHaveBeenCalled();
  });
});
