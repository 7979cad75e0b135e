import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from '../../client/backoff-delay.js';
import { WebSocketAuthError } from '../../client/errors/websocket-auth-error.js';
import { WebSocketUnavailableError } from '../../client/errors/websocket-unavailable-error.js';
import {
  connectWebSocket,
  type AuthWebSocket,
  type ConnectWebSocketOptions,
  type WebSocketLike,
  type WebSocketTimers,
} from '../../client/websocket.js';
import type { AuthWebSocketEventDetails, AuthWebSocketEventType } from '../../client/websocket-event.js';

// The WebSocket helper's backoff, auth retry, watchdog and teardown, against a fake WebSocket and
// fake timers. The browser behaviour is in tests/e2e/websocket.spec.ts.

const URL_ = 'https://app.test/api/ws';
const TYPES: AuthWebSocketEventType[] = ['connecting', 'open', 'message', 'disconnected', 'reconnecting', 'closed'];

/** A WebSocket the test opens, feeds and drops by hand. */
class FakeWebSocket extends EventTarget implements WebSocketLike {
  readyState = 0;
  protocol = '';
  binaryType: BinaryType = 'blob';
  readonly sent: unknown[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    super();
  }

  send(data: unknown): void {
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
    this.readyState = 2;
  }

  open(protocol = 'sw-auth-proxy.ticket'): void {
    this.readyState = 1;
    this.protocol = protocol;
    this.dispatchEvent(new Event('open'));
  }

  receive(data: string): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }

  drop(code = 1006, reason = '', wasClean = false): void {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason, wasClean }));
  }
}

/** A `fetch` for the ticket endpoint: answers from `statuses` in turn (200 after they run out). */
function ticketFetch(statuses: number[] = []) {
  let issued = 0;
  return vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => {
    const status = statuses.shift() ?? 200;
    const ticket = `t${++issued}`;
    return { ok: status >= 200 && status < 300, status, json: async () => ({ ticket }) } as Response;
  });
}

interface Setup {
  socket: AuthWebSocket;
  sockets: FakeWebSocket[];
  fetch: ReturnType<typeof ticketFetch>;
  events: { type: AuthWebSocketEventType; detail: AuthWebSocketEventDetails[AuthWebSocketEventType] }[];
  of: <K extends AuthWebSocketEventType>(type: K) => AuthWebSocketEventDetails[K][];
  last: () => FakeWebSocket;
}

const timers: WebSocketTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function setup(options: ConnectWebSocketOptions = {}, statuses: number[] = []): Setup {
  const sockets: FakeWebSocket[] = [];
  const fetch = ticketFetch(statuses);
  const socket = connectWebSocket(URL_, {
    WebSocket: class extends FakeWebSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    },
    fetch,
    timers,
    random: () => 0.5,
    ...options,
  });
  const events: Setup['events'] = [];
  for (const type of TYPES) socket.addEventListener(type, (event) => events.push({ type, detail: event.detail }));
  return {
    socket,
    sockets,
    fetch,
    events,
    of: <K extends AuthWebSocketEventType>(type: K) =>
      events.filter((event) => event.type === type).map((event) => event.detail as AuthWebSocketEventDetails[K]),
    last: () => sockets.at(-1)!,
  };
}

/** Lets promises (the ticket request) settle without moving the clock. */
const settle = (): Promise<void> => vi.advanceTimersByTimeAsync(0).then(() => undefined);
const advance = (ms: number): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  it('draws from [0, min(max, initial · 2^failures)): full jitter, doubling to the cap', () => {
    const bounds = { initialDelayMs: 1000, maxDelayMs: 16_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((failures) => backoffDelay(failures, bounds, () => 0.5))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(backoffDelay(3, bounds, () => 0)).toBe(0);
    expect(backoffDelay(3, bounds, () => 0.999_999)).toBe(7999);
  });

  it('stays finite and under the cap for any failure count', () => {
    const delay = backoffDelay(100_000, { initialDelayMs: 1000, maxDelayMs: 16_000 }, () => 0.999_999);
    expect(delay).toBe(15_999);
  });
});

describe('connectWebSocket', () => {
  it('gets a ticket through fetch and offers it in the subprotocol list, before the app protocols', async () => {
    const { socket, sockets, fetch, of, last } = setup({ protocols: ['chat.v1'] });
    expect(socket.state).toBe('connecting');
    await settle();

    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0]![0]).toBe('/api/ws-ticket');
    expect(fetch.mock.calls[0]![1]).toMatchObject({ method: 'POST', credentials: 'same-origin', cache: 'no-store' });
    expect(sockets.map((s) => [s.url, s.protocols])).toEqual([['wss://app.test/api/ws', ['sw-auth-proxy.ticket', 't1', 'chat.v1']]]);
    // Heard although the listener was added after connectWebSocket returned.
    expect(of('connecting')).toEqual([{ attempt: 0 }]);

    last().open();
    expect(socket.state).toBe('open');
    expect(of('open')).toEqual([{ attempt: 0, protocol: 'sw-auth-proxy.ticket' }]);
    last().receive('hi');
    expect(of('message')).toEqual([{ data: 'hi' }]);
  });

  it('sends only while open, and says whether it did', async () => {
    const { socket, last } = setup();
    expect(socket.send('early')).toBe(false);
    await settle();
    expect(socket.send('still early')).toBe(false);
    last().open();
    expect(socket.send('now')).toBe(true);
    expect(last().sent).toEqual(['now']);
  });

  it('reconnects with a fresh ticket after backoff delays that double to the cap', async () => {
    const { sockets, fetch, of, last } = setup();
    await settle();
    last().open();
    const expected = [500, 1000, 2000, 4000, 8000, 8000];
    for (const [index, delay] of expected.entries()) {
      last().drop();
      expect(of('reconnecting').at(-1)).toEqual({ attempt: index + 1, delayMs: delay, cause: 'network' });
      const before = sockets.length;
      await advance(delay - 1);
      expect(sockets.length).toBe(before);
      await advance(1);
      expect(sockets.length).toBe(before + 1);
    }
    expect(fetch).toHaveBeenCalledTimes(expected.length + 1);
    expect(new Set(sockets.map((socket) => socket.protocols[1])).size).toBe(sockets.length);
  });

  it('starts the backoff over once a connection has stayed open for stableAfterMs', async () => {
    const { of, last } = setup({ stableAfterMs: 5000 });
    await settle();
    last().open();
    last().drop();
    await advance(500);
    last().drop();
    await advance(1000);
    last().open();
    await advance(4999);
    last().drop(); // open, but not stable yet: the backoff keeps growing
    expect(of('reconnecting').at(-1)).toMatchObject({ attempt: 3, delayMs: 2000 });
    await advance(2000);
    last().open();
    await advance(5000);
    last().drop();
    expect(of('reconnecting').at(-1)).toMatchObject({ attempt: 1, delayMs: 500 });
  });

  it('gives up after maxAttempts reconnects in a row, with max-attempts and a WebSocketUnavailableError', async () => {
    const { socket, sockets, of, last } = setup({ maxAttempts: 2 });
    await settle();
    last().drop();
    await advance(500);
    last().drop();
    await advance(1000);
    last().drop();

    expect(socket.state).toBe('closed');
    const [closed] = of('closed');
    expect(closed?.reason).toBe('max-attempts');
    expect(closed?.error).toBeInstanceOf(WebSocketUnavailableError);
    expect(closed?.error?.message).toMatch(/^Failed to connect the WebSocket: 2 reconnects in a row failed/);
    await advance(60_000);
    expect(sockets).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('meets an auth close code with one immediate reconnect on a new credential', async () => {
    const { socket, sockets, of, last } = setup();
    await settle();
    last().open();
    last().drop(4401, 'session ended', true);

    expect(of('disconnected')).toEqual([{ code: 4401, reason: 'session ended', wasClean: true }]);
    expect(of('reconnecting')).toEqual([{ attempt: 0, delayMs: 0, cause: 'unauthorized' }]);
    await settle();
    expect(sockets.map((s) => s.protocols[1])).toEqual(['t1', 't2']);
    last().open();
    expect(socket.state).toBe('open');
  });

  it('closes for good with unauthorized when the fresh credential is refused too', async () => {
    const { socket, sockets, of, last } = setup({ authCloseCodes: [4401, 1008] });
    await settle();
    last().open();
    last().drop(4401);
    await settle();
    last().open();
    last().drop(1008);

    expect(socket.state).toBe('closed');
    const [closed] = of('closed');
    expect(closed?.reason).toBe('unauthorized');
    expect(closed?.error).toBeInstanceOf(WebSocketAuthError);
    await advance(60_000);
    expect(sockets).toHaveLength(2);
  });

  it('has its one auth retry back after a stable connection', async () => {
    const { socket, sockets, last } = setup({ stableAfterMs: 5000 });
    await settle();
    last().open();
    last().drop(4401);
    await settle();
    last().open();
    await advance(5000);
    last().drop(4401);
    await settle();

    expect(socket.state).toBe('connecting');
    expect(sockets).toHaveLength(3);
  });

  it('counts a 401 from the ticket endpoint (after the proxy tried to refresh) as a refused credential', async () => {
    const { socket, sockets, fetch, of } = setup({}, [401, 401]);
    await settle();
    await settle();

    expect(fetch).toHaveBeenCalledTimes(2);
    expect(sockets).toHaveLength(0);
    expect(of('reconnecting')).toEqual([{ attempt: 0, delayMs: 0, cause: 'unauthorized' }]);
    expect(socket.state).toBe('closed');
    expect(of('closed')[0]?.error?.message).toBe('Failed to get a WebSocket ticket: /api/ws-ticket answered 401');
  });

  it('retries a failing ticket endpoint with backoff', async () => {
    const { sockets, of } = setup({}, [503]);
    await settle();

    expect(sockets).toHaveLength(0);
    expect(of('reconnecting')).toEqual([{ attempt: 1, delayMs: 500, cause: 'credential' }]);
    await advance(500);
    expect(sockets.map((s) => s.protocols[1])).toEqual(['t2']);
  });

  it('abandons a socket that stays silent for heartbeatTimeoutMs and reconnects', async () => {
    const { socket, of, last } = setup({ heartbeatTimeoutMs: 3000 });
    await settle();
    const first = last();
    first.open();
    await advance(2000);
    first.receive('heartbeat');
    await advance(2999);
    expect(socket.state).toBe('open');
    await advance(1);

    expect(first.closedWith).toEqual([4408, 'heartbeat timeout']);
    expect(of('disconnected')).toEqual([{ code: 4408, reason: 'heartbeat timeout', wasClean: false }]);
    expect(of('reconnecting')).toEqual([{ attempt: 1, delayMs: 500, cause: 'heartbeat' }]);
    // The abandoned socket's own close event, whenever it comes, changes nothing.
    first.drop();
    expect(of('disconnected')).toHaveLength(1);
  });

  it('gives up on a handshake that does not finish within connectTimeoutMs', async () => {
    const { socket, of, last } = setup({ connectTimeoutMs: 5000 });
    await settle();
    await advance(5000);

    expect(last().closedWith).toEqual([4408, 'connect timeout']);
    expect(of('reconnecting')).toEqual([{ attempt: 1, delayMs: 500, cause: 'timeout' }]);
    expect(socket.state).toBe('reconnecting');
  });

  it('close() while reconnecting cancels the pending attempt and leaves no timer', async () => {
    const { socket, sockets, events, of, last } = setup();
    await settle();
    const first = last();
    first.open();
    first.drop();
    socket.close();
    socket.close();

    expect(of('closed')).toEqual([{ reason: 'client', error: null }]);
    expect(vi.getTimerCount()).toBe(0);
    const seen = events.length;
    await advance(3_600_000);
    first.drop();
    expect(sockets).toHaveLength(1);
    expect(events).toHaveLength(seen);
  });

  it('close() while the ticket request is out aborts it and never opens a socket', async () => {
    let signal: AbortSignal | undefined;
    const fetch = vi.fn((_input: RequestInfo | URL, init?: RequestInit) => {
      signal = init!.signal!;
      return new Promise<Response>((_resolve, reject) => signal!.addEventListener('abort', () => reject(signal!.reason)));
    });
    const sockets: FakeWebSocket[] = [];
    const socket = connectWebSocket(URL_, {
      fetch,
      timers,
      WebSocket: class extends FakeWebSocket {
        constructor(url: string, protocols: string[]) {
          super(url, protocols);
          sockets.push(this);
        }
      },
    });
    await settle();
    socket.close();
    await advance(60_000);

    expect(signal?.aborted).toBe(true);
    expect(sockets).toHaveLength(0);
    expect(socket.state).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() on an open socket closes it with the given code and nothing reconnects', async () => {
    const { socket, sockets, of, last } = setup();
    await settle();
    const first = last();
    first.open();
    socket.close(4000, 'bye');

    expect(first.closedWith).toEqual([4000, 'bye']);
    first.drop(4000, 'bye', true);
    await advance(60_000);
    expect(sockets).toHaveLength(1);
    expect(of('disconnected')).toEqual([]);
    expect(of('closed')).toEqual([{ reason: 'client', error: null }]);
  });

  it('a listener may call close() from any event, and nothing happens after it', async () => {
    for (const type of ['connecting', 'open', 'disconnected', 'reconnecting'] as const) {
      const { socket, sockets, events, last } = setup();
      socket.addEventListener(type, () => socket.close());
      await settle();
      // Closed at once, and with nothing left pending (no stray connect timeout).
      if (type === 'connecting') expect([socket.state, vi.getTimerCount()]).toEqual(['closed', 0]);
      if (sockets.length > 0) last().open();
      if (sockets.length > 0 && socket.state !== 'closed') last().drop();
      await advance(60_000);
      expect([type, socket.state, events.at(-1)?.type]).toEqual([type, 'closed', 'closed']);
      expect(events.filter((event) => event.type === 'closed')).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(0);
    }
  });

  it('closes when the signal option aborts', async () => {
    const controller = new AbortController();
    const { socket, of, last } = setup({ signal: controller.signal });
    await settle();
    last().open();
    controller.abort();

    expect(socket.state).toBe('closed');
    expect(last().closedWith).toEqual([1000, '']);
    expect(of('closed')).toEqual([{ reason: 'client', error: null }]);
  });

  it('turns http(s) URLs into ws(s) ones and rejects what cannot be a WebSocket URL', () => {
    const WebSocket = class extends FakeWebSocket {};
    const socket = connectWebSocket('http://app.test/api/ws#frag', { WebSocket, fetch: ticketFetch(), timers });
    expect(socket.url).toBe('ws://app.test/api/ws');
    socket.close();
    expect(() => connectWebSocket('ftp://app.test/x', { WebSocket, timers })).toThrow(SyntaxError);
    expect(() => connectWebSocket(URL_, { WebSocket, timers, initialDelayMs: 2000, maxDelayMs: 1000 })).toThrow(RangeError);
    expect(() => connectWebSocket(URL_, { WebSocket, timers, heartbeatTimeoutMs: -1 })).toThrow(RangeError);
  });
});
