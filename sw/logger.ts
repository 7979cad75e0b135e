/** A field value in a log line; never a token, and `redact` makes sure. */
export type LogValue = string | number | boolean | null;

const JWT = /eyJ[\w-]*\.[\w-]*\.[\w-]*/g;
/** Long opaque runs (refresh tokens, tickets): longer than any id this library logs on purpose. */
const OPAQUE = /[\w-]{32,}/g;
/** Client ids are UUIDs: long, but worth keeping in a log. */
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

/** Defence in depth: lines are built without tokens, and anything token-shaped is masked anyway. */
export function redact(value: string): string;
export function redact(value: LogValue): LogValue;
export function redact(value: LogValue): LogValue {
  if (typeof value !== 'string') return value;
  return value.replace(JWT, '[jwt]').replace(OPAQUE, (run) => (UUID.test(run) ? run : '[redacted]'));
}

/**
 * The worker's debug log: off by default, switched at run time from the page
 * (`auth.setDebug(true)`), structured (`event` plus flat fields) and prefixed, so it can be
 * filtered in a console shared with the app.
 */
export class Logger {
  enabled = false;
  readonly #sink: (line: string) => void;

  constructor(sink: (line: string) => void = (line) => console.debug(line)) {
    this.#sink = sink;
  }

  debug(event: string, fields: Record<string, LogValue> = {}): void {
    if (!this.enabled) return;
    const parts = Object.entries(fields).map(([key, value]) => `${key}=${JSON.stringify(redact(value))}`);
    this.#sink(['[sw-auth-proxy]', event, ...parts].join(' '));
  }
}
