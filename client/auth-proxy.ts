import type { Workbox } from 'workbox-window';
import type { PageProxy } from '../page/install-page-proxy.js';
import type { AuthProxyConfig } from '../sw/config.js';
import { AuthProxyError } from '../sw/errors/auth-proxy-error.js';
import { ProxyTimeoutError } from '../sw/errors/proxy-timeout-error.js';
import { ProxyUnavailableError } from '../sw/errors/proxy-unavailable-error.js';
import {
  DEFAULT_CHANNEL_NAME,
  PROTOCOL_VERSION,
  isBroadcastMessage,
  type AuthStatus,
  type ProxyMode,
  type RequestMap,
  type RequestType,
} from '../sw/protocol.js';
import { VERSION } from '../sw/version.js';
import { AuthProxyEvent, type AuthProxyEventDetails, type AuthProxyEventMap, type AuthProxyEventType } from './auth-proxy-event.js';
import { rebuildError } from './rebuild-error.js';
import { requestWorker } from './request-worker.js';

/** Options of `registerAuthProxy`. */
export interface RegisterAuthProxyOptions {
  /**
   * The registration scope; the pages that make API calls must be inside it.
   * @default the directory of the script URL
   */
  scope?: string;
  /**
   * `'module'` for a worker built as an ES module.
   * @default 'classic'
   */
  type?: WorkerType;
  /**
   * Must match the worker config's `channelName`.
   * @default 'sw-auth-proxy'
   */
  channelName?: string;
  /**
   * How long a command to the worker (`status`, `logout`, the handshake) may take before it fails
   * with a `ProxyTimeoutError`. `logout` gets this plus what the worker says it may need (it waits
   * for a refresh attempt under way, then for the server: `2 × refreshTimeoutMs` and its store steps).
   * @default 10000
   */
  requestTimeoutMs?: number;
  /**
   * When the tab becomes visible, ask the worker to refresh if the token is inside its refresh
   * window, so a tab that slept through expiry does not start with a 401 round trip.
   * @default true
   */
  refreshOnVisible?: boolean;
  /**
   * What happens where no service worker can control the page: service workers unavailable (a
   * Firefox private window, an iOS in-app browser, a policy), the registration refused, or the
   * worker not controlling the page within `requestTimeoutMs`.
   * - `'none'`: `ready` rejects with a `ProxyUnavailableError`; requests go out without a token.
   * - `'page'`: the same session engine runs in the page (`sw-auth-proxy/page`, loaded only then)
   *   with `config`, wrapping `fetch`, `XMLHttpRequest` and `EventSource` for the protected URLs. It shares the
   *   session, the refresh lock and the events with every other tab, worker or page. Page script
   *   can read and change what the engine holds: see SECURITY.md before turning it on.
   * @default 'none'
   */
  fallback?: 'none' | 'page';
  /**
   * The worker's config, for `fallback: 'page'` only: keep it in one module that the worker script
   * and the page both import, so the two agree on what is protected, the store and the lock. Or a
   * function that loads it (`() => import('./auth-config.js').then((m) => m.authConfig)`), called
   * only when the page falls back. Under a worker it is never used nor sent: the worker's own
   * script is its config, which no page can widen.
   */
  config?: AuthProxyConfig | (() => Promise<AuthProxyConfig>);
}

/** What `ready` resolves with, from the handshake. */
export interface ReadyInfo {
  /** `'worker'`, or `'page'` when the engine runs in this page (`fallback: 'page'`). */
  mode: ProxyMode;
  /** In page mode: why the worker could not take the page (never a token). */
  fallbackReason?: string;
  /** The worker's (or page engine's) package version. */
  workerVersion: string;
  /** This page's id as the worker sees it (`Client.id`); `replay-skipped` events carry it. */
  clientId: string;
}

/**
 * The registration's active worker, waiting for a first install to finish. (workbox-window's
 * `active` promise never settles for a page that is not controlled but whose worker is already
 * active, which is exactly the hard-reload case.)
 */
function activeWorker(registration: ServiceWorkerRegistration): Promise<ServiceWorker> {
  if (registration.active) return Promise.resolve(registration.active);
  const pending = registration.installing ?? registration.waiting;
  return new Promise((resolve, reject) => {
    if (!pending) {
      reject(new ProxyUnavailableError('Failed to start the auth proxy: the registration has no worker'));
      return;
    }
    const check = (): void => {
      if (registration.active) resolve(registration.active);
      else if (pending.state === 'redundant')
        reject(new ProxyUnavailableError('Failed to start the auth proxy: the new worker failed to install'));
    };
    pending.addEventListener('statechange', check);
  });
}

export interface AuthProxy {
  addEventListener<K extends AuthProxyEventType>(
    type: K,
    listener: (this: AuthProxy, event: AuthProxyEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends AuthProxyEventType>(
    type: K,
    listener: (this: AuthProxy, event: AuthProxyEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * The page's handle on the auth proxy: lifecycle (`ready`), commands (`status`, `logout`,
 * `unregister`) and the worker's announcements as typed events. Made by `registerAuthProxy`.
 */
export class AuthProxy extends EventTarget {
  /**
   * Resolves once the worker is active, has answered the handshake, and controls this page, so
   * every request the page makes from then on passes through it. Rejects with a
   * `ProxyUnavailableError` or `ProxyTimeoutError` (also dispatched as an `error` event).
   */
  readonly ready: Promise<ReadyInfo>;

  /** `null` where the browser has no service workers (workbox-window cannot even be constructed there). */
  readonly #workbox: Workbox | null;
  readonly #scriptUrl: string;
  readonly #fallback: 'none' | 'page';
  readonly #config: RegisterAuthProxyOptions['config'];
  /** The engine in this page, once it runs here (`fallback: 'page'`). */
  #page: PageProxy | null = null;
  readonly #timeoutMs: number;
  /** What the worker said a logout may take beyond a command's timeout (it waits for the server). */
  #logoutTimeoutMs = 0;
  readonly #scope: string | undefined;
  readonly #type: WorkerType;
  readonly #channel: BroadcastChannel;
  readonly #teardown = new AbortController();

  /**
   * @param scriptUrl the worker script's URL, absolute: the page engine resolves the config's
   *   relative URLs against it, as the worker does.
   */
  constructor(workbox: Workbox | null, options: RegisterAuthProxyOptions = {}, scriptUrl = location.href) {
    super();
    this.#workbox = workbox;
    this.#scriptUrl = scriptUrl;
    this.#fallback = options.fallback ?? 'none';
    this.#config = options.config;
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#scope = options.scope;
    this.#type = options.type ?? 'classic';
    // Listen before registering, so a login that happens while the worker starts is not missed.
    this.#channel = new BroadcastChannel(options.channelName ?? DEFAULT_CHANNEL_NAME);
    this.#channel.addEventListener('message', (event) => this.#onBroadcast(event), { signal: this.#teardown.signal });
    this.ready = this.#start();
    this.ready.then(
      () => {
        if (options.refreshOnVisible === false) return;
        const onVisible = (): void => {
          if (document.visibilityState === 'visible') this.#request('visible', null).catch(() => undefined);
        };
        document.addEventListener('visibilitychange', onVisible, { signal: this.#teardown.signal });
        onVisible();
      },
      (error: unknown) => {
        this.#emit('error', error instanceof AuthProxyError ? error : new ProxyUnavailableError('Failed to start the auth proxy'));
      },
    );
  }

  /** The worker's view of the session (state, expiry, counters); never a token. */
  async status(): Promise<AuthStatus> {
    return this.#request('status', null);
  }

  /**
   * Log out in every tab: the worker forgets the tokens and announces `logged-out`.
   * @param options.revoke also revoke the refresh token at the configured RFC 7009 endpoint.
   */
  async logout(options: { revoke?: boolean } = {}): Promise<{ revoked: boolean }> {
    await this.ready; // the handshake tells how long the worker may take
    return this.#request('logout', { revoke: options.revoke ?? true }, this.#timeoutMs + this.#logoutTimeoutMs);
  }

  /**
   * With `dpop` in the worker config: the thumbprint of the key the next login will be bound to, for
   * the `dpop_jkt` parameter of an OAuth authorization request (RFC 9449 §10), so the server binds
   * the authorization code to it too. `null` when the worker does not use DPoP.
   */
  async dpopThumbprint(): Promise<string | null> {
    return (await this.#request('dpop-thumbprint', null)).thumbprint;
  }

  /**
   * Switch the worker's debug log (structured `[sw-auth-proxy]` lines in the worker's console,
   * never a token). It stays switched across worker restarts until switched off.
   */
  async setDebug(enabled: boolean): Promise<void> {
    await this.#request('set-debug', { enabled });
  }

  /** Unregister the worker and stop listening. Tokens stay in IndexedDB until a logout. */
  async unregister(): Promise<boolean> {
    const registration = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration(this.#scope) : undefined;
    this.dispose();
    return registration ? registration.unregister() : false;
  }

  /**
   * Stop listening to the worker; the worker itself keeps running. In page mode the engine stops
   * too: `fetch`, `XMLHttpRequest` and `EventSource` are the page's own again.
   */
  dispose(): void {
    this.#teardown.abort();
    this.#channel.close();
    this.#page?.dispose();
    this.#page = null;
  }

  async #start(): Promise<ReadyInfo> {
    try {
      return await this.#startWorker();
    } catch (error) {
      if (this.#fallback !== 'page') throw error;
      return this.#startPage(error);
    }
  }

  /** Run the engine in this page, because the worker could not take it (`cause`). */
  async #startPage(cause: unknown): Promise<ReadyInfo> {
    // Loaded only here: apps whose pages always get the worker never download the page engine.
    const [{ installPageProxy }, config] = await Promise.all([
      import('../page/index.js'),
      typeof this.#config === 'function'
        ? this.#config().catch((error: unknown) => {
            const reason = error instanceof Error ? error.name : 'unknown error';
            throw new ProxyUnavailableError(`Failed to run the auth proxy in the page: its config did not load (${reason})`);
          })
        : this.#config!,
    ]);
    if (this.#teardown.signal.aborted) throw new ProxyUnavailableError('Failed to start the auth proxy: disposed while starting');
    const engine = installPageProxy(config, { baseUrl: this.#scriptUrl });
    this.#page = engine;
    const hello = await engine.request('hello', { clientVersion: VERSION, protocol: PROTOCOL_VERSION });
    this.#logoutTimeoutMs = hello.logoutTimeoutMs;
    const fallbackReason = cause instanceof Error ? cause.message : 'the service worker could not start';
    return { mode: 'page', fallbackReason, workerVersion: hello.version, clientId: engine.clientId };
  }

  async #startWorker(): Promise<ReadyInfo> {
    if (this.#workbox === null || !('serviceWorker' in navigator)) {
      throw new ProxyUnavailableError(
        'Failed to register the auth proxy: service workers are not available here (an insecure context, a private window, turned off by the browser or a policy, or unsupported)',
      );
    }
    let registration: ServiceWorkerRegistration | undefined;
    try {
      registration = await this.#workbox.register({ immediate: true });
    } catch (error) {
      // Loaded only here, like the page engine: a page whose worker registers never downloads it.
      const { explainRegistrationFailure } = await import('./explain-registration-failure.js');
      const reason = await explainRegistrationFailure(error, { scriptUrl: this.#scriptUrl, type: this.#type });
      throw new ProxyUnavailableError(`Failed to register the auth proxy: ${reason}`);
    }
    if (!registration) throw new ProxyUnavailableError('Failed to register the auth proxy: the browser gave no registration');
    const worker = await this.#within(activeWorker(registration), 'wait for the service worker to activate');
    const hello = await requestWorker(worker, 'hello', { clientVersion: VERSION, protocol: PROTOCOL_VERSION }, this.#timeoutMs);
    // An older worker does not say; it then gets the plain command timeout.
    if (typeof hello.logoutTimeoutMs === 'number' && hello.logoutTimeoutMs > 0) this.#logoutTimeoutMs = hello.logoutTimeoutMs;
    if (hello.version !== VERSION || hello.protocol !== PROTOCOL_VERSION) {
      // Reported, not acted on: reloading here is how update loops start.
      this.#emit('version-mismatch', {
        clientVersion: VERSION,
        workerVersion: hello.version,
        clientProtocol: PROTOCOL_VERSION,
        workerProtocol: hello.protocol,
      });
    }
    await this.#controlled();
    return { mode: 'worker', workerVersion: hello.version, clientId: hello.clientId };
  }

  /** The hello made the worker claim this page; wait until the browser says so. */
  #controlled(): Promise<void> {
    if (navigator.serviceWorker.controller) return Promise.resolve();
    const changed = new Promise<void>((resolve) => {
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true, signal: this.#teardown.signal });
    });
    return this.#within(changed, 'take control of the page');
  }

  #within<T>(promise: Promise<T>, action: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ProxyTimeoutError(`Failed to ${action}: nothing happened within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
      promise.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  async #request<K extends RequestType>(
    type: K,
    payload: RequestMap[K]['request'],
    timeoutMs = this.#timeoutMs,
  ): Promise<RequestMap[K]['response']> {
    await this.ready;
    if (this.#page) return this.#page.request(type, payload);
    const worker = navigator.serviceWorker.controller;
    if (!worker) throw new ProxyUnavailableError(`Failed to ${type}: no service worker controls this page`);
    return requestWorker(worker, type, payload, timeoutMs);
  }

  #onBroadcast(event: MessageEvent<unknown>): void {
    const message = event.data;
    if (!isBroadcastMessage(message)) return;
    switch (message.type) {
      case 'logged-in':
      case 'refresh-started':
      case 'token-refreshed':
      case 'refresh-failed':
      case 'session-expired':
      case 'logged-out':
      case 'replay-skipped':
      case 'event-stream-stalled':
      case 'state-changed':
      case 'queue-full':
        this.#emit(message.type, message.payload as never, event);
        return;
      case 'error':
        this.#emit('error', rebuildError(message.payload), event);
        return;
      default: {
        // Compile-time exhaustiveness; at run time a newer worker may announce more than this
        // client knows, which is ignored rather than thrown.
        const unknown: never = message;
        void unknown;
      }
    }
  }

  #emit<K extends AuthProxyEventType>(type: K, detail: AuthProxyEventDetails[K], originalEvent?: MessageEvent): void {
    this.dispatchEvent(new AuthProxyEvent(type, detail, originalEvent));
  }
}
