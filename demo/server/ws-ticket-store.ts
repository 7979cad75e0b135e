import type { AccessTokenClaims } from './access-token-issuer.js';
import { randomToken } from './random-token.js';

/** Long enough to open a socket with, short enough that a leaked ticket is worth little. */
export const WS_TICKET_LIFETIME_MS = 30 * 1000;

/** What a ticket stands for: the access token it was bought with (and so its session). */
export type WsTicketBinding = Pick<AccessTokenClaims, 'sub' | 'sid' | 'exp' | 'iat_ms'>;

/** The result of {@link WsTicketStore.redeem}. */
export type WsTicketOutcome =
  | { readonly kind: 'redeemed'; readonly binding: WsTicketBinding }
  | { readonly kind: 'refused'; readonly reason: 'unknown' | 'used' | 'expired' };

interface TicketRecord {
  readonly binding: WsTicketBinding;
  readonly expiresAt: number;
  used: boolean;
}

/**
 * One-time WebSocket tickets (`POST /api/ws-ticket`). A page cannot put an Authorization header on
 * a WebSocket handshake and the worker never sees one, so the page trades its session (through the
 * worker, which adds the bearer) for a ticket that opens exactly one socket.
 */
export class WsTicketStore {
  readonly #tickets = new Map<string, TicketRecord>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  issue(binding: WsTicketBinding): { ticket: string; expiresIn: number } {
    this.#prune();
    const ticket = randomToken();
    const { sub, sid, exp, iat_ms } = binding;
    this.#tickets.set(ticket, { binding: { sub, sid, exp, iat_ms }, expiresAt: this.#now() + WS_TICKET_LIFETIME_MS, used: false });
    return { ticket, expiresIn: WS_TICKET_LIFETIME_MS / 1000 };
  }

  /** Spends a ticket. Synchronous, so two handshakes with one ticket cannot both succeed. */
  redeem(ticket: string): WsTicketOutcome {
    const record = this.#tickets.get(ticket);
    if (!record) return { kind: 'refused', reason: 'unknown' };
    if (record.used) return { kind: 'refused', reason: 'used' };
    record.used = true;
    if (record.expiresAt <= this.#now()) return { kind: 'refused', reason: 'expired' };
    return { kind: 'redeemed', binding: record.binding };
  }

  /** True if `value` is a ticket this store issued (used to keep it out of logs). */
  isTicket(value: string): boolean {
    return this.#tickets.has(value);
  }

  clear(): void {
    this.#tickets.clear();
  }

  /** Forgets tickets long expired; used ones are kept until then so a replay says "used". */
  #prune(): void {
    const now = this.#now();
    for (const [ticket, record] of this.#tickets) {
      if (record.expiresAt + WS_TICKET_LIFETIME_MS <= now) this.#tickets.delete(ticket);
    }
  }
}
