import type { AuthProxyError } from '../sw/errors/auth-proxy-error.js';
import { backoffDelay } from './backoff-delay.js';
import { WebSocketAuthError, isWebSocketAuthError } from './errors/websocket-auth-error.js';
import { WebSocketUnavailableError } from './errors/websocket-unavailable-error.js';
import { DEFAULT_TICKET_ENDPOINT, obtainCredential, type WebSocketCredentialSource } from './websocket-credential.js';
import {
  AuthWebSocketEvent,
  type AuthWebSocketCloseReason,
  type AuthWebSocketEventDetails,
  type AuthWebSocketEventMap,
  type AuthWebSocketEventType,
  type AuthWebSocketState,
  type ReconnectCause,
} from './websocket-event.js';

/** The part of the WebSocket API the helper uses; the browser's `WebSocket` fits it. */
export interface WebSocketLike extends EventTarget {
  readonly readyState: number;
  readonly protocol: string;
  binaryType: BinaryType;
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

/** Timer functions, injectable so unit tests can drive backoff without waiting. */
export interface WebSocketTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link connectWebSocket}. */
export interface ConnectWebSocketOptions {
  /**
   * Where each connection's credential comes from; fetched anew before every connect.
   * @default { type: 'ticket', endpoint: '/api/ws-ticket' }
   */
  credential?: WebSocketCredentialSource;
  /**
   * The app's own subprotocols, offered after the credential's entries.
   * @default []
   */
  protocols?: readonly string[];
  /**
   * Reconnects in a row, without a stable connection in between, before giving up with `closed`
   * (`reason: 'max-attempts'`). A page that stays open wants to come back after any outage.
   * @default Infinity
   */
  maxAttempts?: number;
  /**
   * The ceiling of the first reconnect delay; it doubles per failed attempt.
   * @default 1000
   */
  initialDelayMs?: number;
  /**
   * The delay ceiling stops doubling here.
   * @default 16000
   */
  maxDelayMs?: number;
  /**
   * A connection open this long counts as stable: the backoff and the one auth retry start over.
   * @default 5000
   */
  stableAfterMs?: number;
  /**
   * Close codes that mean "credential refused": the socket gets a new credential and reconnects at
   * once, a single time; if that is refused too, it closes for good (`reason: 'unauthorized'`).
   * @default [4401, 1008]
   */
  authCloseCodes?: readonly number[];
  /**
   * Reconnect when no message arrived for this long (the server should send heartbeats more often);
   * `0` turns the watchdog off.
   * @default 0
   */
  heartbeatTimeoutMs?: number;
  /**
   * Credential plus handshake must finish within this, or the attempt counts as failed.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * How binary messages arrive in `message` events.
   * @default 'blob'
   */
  binaryType?: BinaryType;
  /**
   * Aborting it is `close()`: one way to tie the socket to a component's lifetime.
   * @default none (only `close()` ends it)
   */
  signal?: AbortSignal;
  /**
   * The WebSocket implementation; injectable for tests.
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor;
  /**
   * Used for the ticket request, which must go through the auth proxy (the page's own `fetch`).
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /**
   * A number in `[0, 1)` for the jitter.
   * @default Math.random
   */
  random?: () => number;
  /**
   * Timers for backoff, watchdog and timeouts; injectable for tests.
   * @default globalThis.setTimeout and clearTimeout
   */
  timers?: WebSocketTimers;
}

interface ResolvedOptions {
  readonly credential: WebSocketCredentialSource;
  readonly protocols: readonly string[];
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly stableAfterMs: number;
  readonly authCloseCodes: readonly number[];
  readonly heartbeatTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly binaryType: BinaryType;
  readonly WebSocket: WebSocketConstructor;
  readonly fetch: typeof fetch;
  readonly random: () => number;
  readonly timers: WebSocketTimers;
}

/**
 * The code this helper closes with when it abandons a socket that went silent or never finished
 * its handshake (4000–4999 is the application's range; 408 as in Request Timeout).
 */
const ABANDON_CLOSE_CODE = 4408;

const OPEN = 1;

export interface AuthWebSocket {
  addEventListener<K extends AuthWebSocketEventType>(
    type: K,
    listener: (this: AuthWebSocket, event: AuthWebSocketEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends AuthWebSocketEventType>(
    type: K,
    listener: (this: AuthWebSocket, event: AuthWebSocketEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * A WebSocket that authenticates every connection with a fresh credential and reconnects on its own.
 * Made by {@link connectWebSocket}.
 */
export class AuthWebSocket extends EventTarget {
  /** The `ws:`/`wss:` URL connected to. */
  readonly url: string;

  readonly #options: ResolvedOptions;
  #state: AuthWebSocketState = 'connecting';
  #socket: WebSocketLike | null = null;
  /** Ends the current attempt: aborts its credential request and removes its socket listeners. */
  #attempt: AbortController | null = null;
  /** Reconnects since the last stable connection. */
  #failures = 0;
  /** The one immediate reconnect after an auth close has been used (reset by a stable connection). */
  #authRetried = false;
  #lastError: AuthProxyError | null = null;
  readonly #timers = new Map<'next' | 'connect' | 'stable' | 'heartbeat', unknown>();
  readonly #teardown = new AbortController();

  constructor(url: string | URL, options: ConnectWebSocketOptions = {}) {
    super();
    this.url = toWebSocketUrl(url);
    this.#options = resolveOptions(options);
    if (options.signal?.aborted) {
      this.#state = 'closed';
      return;
    }
    options.signal?.addEventListener('abort', () => this.close(), { once: true, signal: this.#teardown.signal });
    // After the caller's synchronous code, so listeners added right after construction hear `connecting`.
    queueMicrotask(() => void this.#connect());
  }

  get state(): AuthWebSocketState {
    return this.#state;
  }

  /**
   * Sends on the open socket. Returns false, sending nothing, when there is none (connecting or
   * reconnecting): messages are not queued, because what was meant for an old connection may be
   * stale on the next; send again on `open`.
   */
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): boolean {
    const socket = this.#socket;
    if (this.#state !== 'open' || socket === null || socket.readyState !== OPEN) return false;
    socket.send(data);
    return true;
  }

  /**
   * Closes the socket and stops every reconnect, timer and listener, for good. Dispatches `closed`
   * with `reason: 'client'` (once; later calls do nothing).
   */
  close(code = 1000, reason = ''): void {
    if (this.#state === 'closed') return;
    this.#finish('client', null, code, reason);
  }

  async #connect(): Promise<void> {
    if (this.#state === 'closed') return;
    const attempt = this.#failures;
    const controller = new AbortController();
    this.#attempt = controller;
    this.#setState('connecting');
    this.#emit('connecting', { attempt });
    if (this.#closed()) return; // a `connecting` listener called close()
    this.#after('connect', this.#options.connectTimeoutMs, () => {
      this.#endAttempt(ABANDON_CLOSE_CODE, 'connect timeout');
      this.#retry(
        'timeout',
        new WebSocketUnavailableError(`Failed to connect the WebSocket: no connection within ${this.#options.connectTimeoutMs} ms`),
      );
    });

    let credential: readonly string[];
    try {
      credential = await obtainCredential(this.#options.credential, controller.signal, this.#options.fetch);
    } catch (error) {
      // Aborted by close() or the connect timeout: whoever aborted has decided what comes next.
      if (controller.signal.aborted) return;
      this.#endAttempt();
      if (isWebSocketAuthError(error)) this.#unauthorized(error);
      else this.#retry('credential', asUnavailable(error, 'Failed to get a WebSocket credential'));
      return;
    }
    if (controller.signal.aborted) return;

    let socket: WebSocketLike;
    try {
      socket = new this.#options.WebSocket(this.url, [...credential, ...this.#options.protocols]);
    } catch (error) {
      // A SyntaxError for a malformed subprotocol; the URL was checked up front.
      this.#endAttempt();
      this.#retry('credential', asUnavailable(error, 'Failed to open the WebSocket'));
      return;
    }
    socket.binaryType = this.#options.binaryType;
    this.#socket = socket;
    const listen = { signal: controller.signal };
    socket.addEventListener('open', (event) => this.#onOpen(socket, attempt, event), listen);
    socket.addEventListener('message', (event) => this.#onMessage(event as MessageEvent), listen);
    socket.addEventListener('close', (event) => this.#onClose(event as CloseEvent), listen);
    // `error` is always followed by `close`, which carries everything there is to know.
  }

  #onOpen(socket: WebSocketLike, attempt: number, event: Event): void {
    this.#clear('connect');
    this.#setState('open');
    this.#after('stable', this.#options.stableAfterMs, () => {
      this.#failures = 0;
      this.#authRetried = false;
    });
    this.#armWatchdog();
    this.#emit('open', { attempt, protocol: socket.protocol }, event);
  }

  #onMessage(event: MessageEvent): void {
    this.#armWatchdog();
    this.#emit('message', { data: event.data as string | ArrayBuffer | Blob }, event);
  }

  #onClose(event: CloseEvent): void {
    this.#endAttempt();
    this.#emit('disconnected', { code: event.code, reason: event.reason, wasClean: event.wasClean }, event);
    if (this.#closed()) return; // a `disconnected` listener called close()
    if (this.#options.authCloseCodes.includes(event.code)) {
      this.#unauthorized(
        new WebSocketAuthError(`Failed to keep the WebSocket open: the server closed it with ${event.code} (credential refused)`),
      );
    } else {
      this.#retry('network', new WebSocketUnavailableError(`Failed to keep the WebSocket open: it closed with ${event.code}`));
    }
  }

  /** The credential was refused: one immediate retry with a new one, then give up. */
  #unauthorized(error: WebSocketAuthError): void {
    if (this.#state === 'closed') return;
    this.#lastError = error;
    if (this.#authRetried) {
      this.#finish('unauthorized', error);
      return;
    }
    this.#authRetried = true;
    this.#schedule(0, 'unauthorized');
  }

  #retry(cause: ReconnectCause, error: AuthProxyError): void {
    if (this.#state === 'closed') return;
    this.#lastError = error;
    this.#failures += 1;
    if (this.#failures > this.#options.maxAttempts) {
      this.#finish(
        'max-attempts',
        new WebSocketUnavailableError(
          `Failed to connect the WebSocket: ${this.#options.maxAttempts} reconnects in a row failed (last: ${error.message})`,
        ),
      );
      return;
    }
    const { initialDelayMs, maxDelayMs, random } = this.#options;
    this.#schedule(backoffDelay(this.#failures - 1, { initialDelayMs, maxDelayMs }, random), cause);
  }

  #schedule(delayMs: number, cause: ReconnectCause): void {
    this.#setState('reconnecting');
    this.#after('next', delayMs, () => void this.#connect());
    this.#emit('reconnecting', { attempt: this.#failures, delayMs, cause });
  }

  #armWatchdog(): void {
    const timeout = this.#options.heartbeatTimeoutMs;
    if (timeout <= 0) return;
    this.#after('heartbeat', timeout, () => {
      // A half-open connection may never deliver its close event; do not wait for it.
      this.#endAttempt(ABANDON_CLOSE_CODE, 'heartbeat timeout');
      this.#emit('disconnected', { code: ABANDON_CLOSE_CODE, reason: 'heartbeat timeout', wasClean: false });
      if (this.#closed()) return;
      this.#retry('heartbeat', new WebSocketUnavailableError(`Failed to keep the WebSocket open: no message for ${timeout} ms`));
    });
  }

  /**
   * Ends the current attempt: its timers, its credential request and its socket listeners; closes
   * its socket when a code is given (the socket is still up, but this side is done with it).
   */
  #endAttempt(code?: number, reason?: string): void {
    for (const name of ['connect', 'stable', 'heartbeat'] as const) this.#clear(name);
    this.#attempt?.abort();
    this.#attempt = null;
    const socket = this.#socket;
    this.#socket = null;
    if (socket !== null && code !== undefined) closeQuietly(socket, code, reason ?? '');
  }

  #finish(reason: AuthWebSocketCloseReason, error: AuthProxyError | null, code = 1000, closeReason = ''): void {
    this.#clear('next');
    this.#endAttempt(code, closeReason);
    this.#setState('closed');
    this.#teardown.abort();
    this.#emit('closed', { reason, error: error ?? (reason === 'client' ? null : this.#lastError) });
  }

  /** A method, not a field read: listeners run in between and may have closed it, which narrowing cannot see. */
  #closed(): boolean {
    return this.#state === 'closed';
  }

  #setState(state: AuthWebSocketState): void {
    if (this.#state !== 'closed') this.#state = state;
  }

  #after(name: 'next' | 'connect' | 'stable' | 'heartbeat', ms: number, callback: () => void): void {
    this.#clear(name);
    const handle = this.#options.timers.setTimeout(() => {
      this.#timers.delete(name);
      callback();
    }, ms);
    this.#timers.set(name, handle);
  }

  #clear(name: 'next' | 'connect' | 'stable' | 'heartbeat'): void {
    if (!this.#timers.has(name)) return;
    this.#options.timers.clearTimeout(this.#timers.get(name));
    this.#timers.delete(name);
  }

  #emit<K extends AuthWebSocketEventType>(type: K, detail: AuthWebSocketEventDetails[K], originalEvent?: Event): void {
    this.dispatchEvent(new AuthWebSocketEvent(type, detail, originalEvent));
  }
}

/**
 * Open a WebSocket that authenticates through the auth proxy and stays connected.
 *
 * WebSocket handshakes never reach a service worker (the Fetch standard opens them with
 * service-workers mode "none": https://fetch.spec.whatwg.org/#websocket-opening-handshake), and a
 * page cannot put an Authorization header on one. So before every connect this gets a fresh
 * credential through the proxy, by default a one-time ticket from `POST /api/ws-ticket`, whose
 * request the proxy does see, authorises and, if needed, refreshes. The long-lived tokens never
 * reach the page.
 *
 * The credential travels in the subprotocol list (`['sw-auth-proxy.ticket', ticket]`; the server
 * answers with `sw-auth-proxy.ticket`), not in the URL and not as a first message: URLs end up in
 * access logs, proxies and browser history, and a first-message scheme makes the server hold an
 * unauthenticated socket open and every app wait for an "authenticated" reply. With the
 * subprotocol the server decides during the handshake.
 *
 * Reconnects use exponential backoff with full jitter (1 s doubling to 16 s by default), reset once
 * a connection has been stable for `stableAfterMs`. An auth close code (4401, 1008) gets one
 * immediate reconnect with a new credential; a second refusal closes for good with a `closed`
 * event whose `reason` is `unauthorized`. Nothing reconnects after `close()`.
 *
 * @example
 * ```ts
 * import { connectWebSocket } from 'sw-auth-proxy/client';
 *
 * const socket = connectWebSocket('/api/ws');
 * socket.addEventListener('message', (event) => render(event.detail.data));
 * socket.addEventListener('closed', (event) => {
 *   if (event.detail.reason === 'unauthorized') location.assign('/login');
 * });
 * socket.send('hello'); // false until `open`
 * socket.close();
 * ```
 */
export function connectWebSocket(url: string | URL, options: ConnectWebSocketOptions = {}): AuthWebSocket {
  return new AuthWebSocket(url, options);
}

function resolveOptions(options: ConnectWebSocketOptions): ResolvedOptions {
  const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (WebSocketImpl === undefined) throw new TypeError('Failed to connect the WebSocket: this environment has no WebSocket');
  const resolved: ResolvedOptions = {
    credential: options.credential ?? { type: 'ticket', endpoint: DEFAULT_TICKET_ENDPOINT },
    protocols: options.protocols ?? [],
    maxAttempts: options.maxAttempts ?? Number.POSITIVE_INFINITY,
    initialDelayMs: options.initialDelayMs ?? 1000,
    maxDelayMs: options.maxDelayMs ?? 16_000,
    stableAfterMs: options.stableAfterMs ?? 5000,
    authCloseCodes: options.authCloseCodes ?? [4401, 1008],
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 0,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    binaryType: options.binaryType ?? 'blob',
    WebSocket: WebSocketImpl,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    random: options.random ?? Math.random,
    timers: options.timers ?? {
      setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
      clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
    },
  };
  const nonNegative = ['initialDelayMs', 'maxDelayMs', 'stableAfterMs', 'heartbeatTimeoutMs', 'connectTimeoutMs', 'maxAttempts'] as const;
  for (const name of nonNegative) {
    const value = resolved[name];
    if (Number.isNaN(value) || value < 0)
      throw new RangeError(`Failed to connect the WebSocket: ${name} must be 0 or more, got ${String(value)}`);
  }
  if (resolved.maxDelayMs < resolved.initialDelayMs) {
    throw new RangeError('Failed to connect the WebSocket: maxDelayMs must not be less than initialDelayMs');
  }
  return resolved;
}

/** Relative and http(s) URLs become ws(s) URLs of the page's origin; the fragment goes (WebSocket rejects one). */
function toWebSocketUrl(url: string | URL): string {
  const base = typeof location === 'undefined' ? undefined : location.href;
  const resolved = new URL(url, base);
  if (resolved.protocol === 'http:') resolved.protocol = 'ws:';
  else if (resolved.protocol === 'https:') resolved.protocol = 'wss:';
  if (resolved.protocol !== 'ws:' && resolved.protocol !== 'wss:') {
    throw new SyntaxError(`Failed to connect the WebSocket: ${resolved.protocol} is not a ws:, wss:, http: or https: URL`);
  }
  resolved.hash = '';
  return resolved.href;
}

function asUnavailable(error: unknown, action: string): AuthProxyError {
  if (error instanceof WebSocketUnavailableError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new WebSocketUnavailableError(`${action}: ${reason}`);
}

function closeQuietly(socket: WebSocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Already closing, or a code the implementation will not send: the socket is abandoned anyway.
  }
}
