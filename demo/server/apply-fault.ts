import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import type { FaultSpec } from './fault-spec.js';

/** How a fault answers in place of the real handler: a status, never (`hang`), or a dropped socket. */
export type FaultAnswerKind = number | 'hang' | 'drop';

/** The way `spec` answers, or undefined when it only delays the real handler. */
export function faultAnswerKind(spec: FaultSpec): FaultAnswerKind | undefined {
  if (spec.hang === true) return 'hang';
  if (spec.drop === true) return 'drop';
  return spec.status;
}

/**
 * Applies a fault to the request in `c`: returns the response to send in place of the real
 * handler's, or undefined when the real handler should answer (a delay-only fault, once its delay
 * has run out). After `hang` or `drop`, the response tells @hono/node-server that nothing is left
 * to write.
 *
 * @example
 * ```ts
 * const answer = await applyFault(c, { target: 'api', status: 503, retryAfter: '1' });
 * if (answer) return answer;
 * ```
 */
export async function applyFault(c: Context, spec: FaultSpec): Promise<Response | undefined> {
  const kind = faultAnswerKind(spec);
  // @hono/node-server aborts this signal when the connection closes before the response is
  // written (client gave up, server closing); `app.request()` passes the caller's signal through.
  const { signal } = c.req.raw;
  if (spec.delayMs !== undefined && spec.delayMs > 0) {
    if (kind === undefined) {
      // Deliberately not cut short by the client leaving: a slow server finishes its work anyway,
      // which is how a refresh gets rotated with nobody there to receive the new token.
      await delay(spec.delayMs);
      return undefined;
    }
    if (!(await delay(spec.delayMs, signal))) return nothingToSend();
  }
  switch (kind) {
    case undefined:
      return undefined;
    case 'hang':
      await untilAborted(signal);
      return nothingToSend();
    case 'drop':
      dropConnection(c);
      return nothingToSend();
    default:
      return faultResponse(kind, spec);
  }
}

function faultResponse(status: number, spec: FaultSpec): Response {
  // RFC 6749 §5.1 forbids caching token responses, and the API routes are no-store too.
  const headers = new Headers({ 'Cache-Control': 'no-store' });
  if (spec.retryAfter !== undefined) headers.set('Retry-After', spec.retryAfter);
  if (spec.contentType !== undefined) headers.set('Content-Type', spec.contentType);
  return new Response(spec.body ?? null, { status, headers });
}

function dropConnection(c: Context): void {
  const bindings = c.env as Partial<HttpBindings> | undefined;
  const socket = bindings?.incoming?.socket;
  if (!socket) {
    throw new Error('Failed to drop the connection: no Node socket (the app is not served by @hono/node-server)');
  }
  socket.destroy();
}

/** A fresh copy each time: middleware sets headers (Date, CORS) on whatever it is given. */
function nothingToSend(): Response {
  return new Response(null, { headers: RESPONSE_ALREADY_SENT.headers });
}

/** Resolves true after `ms`, or false as soon as `signal` aborts (the timer is cleared then). */
function delay(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** No timer: a hang costs one listener on a signal that dies with its request. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
