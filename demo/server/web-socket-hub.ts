import type { RawData, WebSocket } from 'ws';
import type { DemoCounters } from './demo-counters.js';
import type { WsTicketBinding } from './ws-ticket-store.js';

/**
 * The close code for "your credential is no good (any more)": 4000–4999 is the application range,
 * and 4401 reads as HTTP 401. The client helper treats it as "get a new credential".
 */
export const AUTH_CLOSE_CODE = 4401;

/** How often every open socket is checked against its session while any is open. */
const SWEEP_INTERVAL_MS = 1000;

/** setTimeout's limit; a far-away expiry is left to the sweep. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What {@link WebSocketHub} needs from the rest of the demo state. */
export interface WebSocketHubOptions {
  /** True while the session and access token a socket was opened with are still good. */
  readonly isLive: (binding: WsTicketBinding) => boolean;
  readonly now: () => number;
  readonly counters: DemoCounters;
}

interface Connection {
  readonly socket: WebSocket;
  readonly binding: WsTicketBinding;
  silent: boolean;
  readonly timers: NodeJS.Timeout[];
}

/**
 * Every open demo WebSocket, bound to the access token whose ticket opened it. Echoes messages,
 * sends heartbeats, and closes a socket with {@link AUTH_CLOSE_CODE} the moment its session ends
 * (token `exp`, `/demo/expire`, `/demo/revoke`, logout). Also the switch tests use to take the
 * WebSocket side down and up again, deterministically, on the same port.
 */
export class WebSocketHub {
  readonly #options: WebSocketHubOptions;
  readonly #connections = new Set<Connection>();
  #accepting = true;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: WebSocketHubOptions) {
    this.#options = options;
  }

  /** False between {@link down} and {@link up}: upgrades are refused with 503. */
  get accepting(): boolean {
    return this.#accepting;
  }

  get openCount(): number {
    return this.#connections.size;
  }

  /**
   * Takes an authenticated socket: says `welcome`, echoes every message, sends
   * `{"type":"heartbeat"}` every `heartbeatMs` (0: never), and closes it when its session ends.
   */
  adopt(socket: WebSocket, binding: WsTicketBinding, heartbeatMs: number): void {
    const connection: Connection = { socket, binding, silent: false, timers: [] };
    this.#connections.add(connection);
    this.#options.counters.wsConnections += 1;
    const send = (data: RawData | string, binary = false): void => {
      if (!connection.silent) socket.send(data, { binary });
    };
    socket.on('message', (data, isBinary) => {
      this.#options.counters.wsMessages += 1;
      send(data, isBinary);
    });
    socket.on('close', () => this.#forget(connection));
    if (heartbeatMs > 0) {
      connection.timers.push(setInterval(() => send(JSON.stringify({ type: 'heartbeat', at: this.#options.now() })), heartbeatMs));
    }
    const untilExpiry = binding.exp * 1000 - this.#options.now();
    if (untilExpiry < MAX_TIMER_MS) connection.timers.push(setTimeout(() => this.sweep(), Math.max(0, untilExpiry)));
    this.#sweeper ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
    send(JSON.stringify({ type: 'welcome', sub: binding.sub, connection: this.#options.counters.wsConnections }));
  }

  /** Closes, with {@link AUTH_CLOSE_CODE}, every socket whose session has ended. */
  sweep(): void {
    for (const connection of this.#connections) {
      if (this.#options.isLive(connection.binding)) continue;
      this.#options.counters.wsAuthCloses += 1;
      this.#forget(connection);
      connection.socket.close(AUTH_CLOSE_CODE, 'session ended');
    }
  }

  /**
   * The WebSocket side "crashes": every socket is dropped without a closing handshake (the
   * browser reports 1006) and upgrades are refused until {@link up}. HTTP keeps working, so
   * tickets can still be had: exactly a WebSocket server restarting behind a load balancer.
   */
  down(): void {
    this.#accepting = false;
    for (const connection of this.#connections) {
      this.#forget(connection);
      connection.socket.terminate();
    }
  }

  up(): void {
    this.#accepting = true;
  }

  /**
   * Every open socket goes quiet (no echo, no heartbeat) while staying open: a half-open
   * connection as the client sees it. New sockets behave normally. Returns how many went quiet.
   */
  stall(): number {
    for (const connection of this.#connections) connection.silent = true;
    return this.#connections.size;
  }

  /** Drops every socket and stops all timers, e.g. when the server closes. */
  closeAll(): void {
    for (const connection of this.#connections) {
      this.#forget(connection);
      connection.socket.terminate();
    }
  }

  #forget(connection: Connection): void {
    if (!this.#connections.delete(connection)) return;
    for (const timer of connection.timers) clearTimeout(timer);
    if (this.#connections.size === 0 && this.#sweeper !== undefined) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}
