/** How a request authenticated. The header value itself is never kept. */
export type AuthorizationScheme = 'none' | 'bearer' | 'other';

/**
 * One received request. Credentials that appear in the path or query are replaced by a marker
 * naming their kind (`[jwt]`, `[refresh_token]`, `[authorization_code]`, `[redacted]`), so a test
 * can prove a token reached a URL without the log ever holding the token.
 */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  /** The query string without `?`, `""` if none, credentials replaced. */
  readonly query: string;
  readonly authorization: AuthorizationScheme;
  /** The `Origin` header (an origin is not a secret). */
  readonly origin: string | null;
  /** Milliseconds since the epoch, from the server's clock. */
  readonly at: number;
}

/** The default number of entries kept. */
export const REQUEST_LOG_CAPACITY = 2000;

/** The last requests the server received, oldest first. */
export class RequestLog {
  readonly #entries: RequestLogEntry[] = [];
  readonly #capacity: number;

  constructor(capacity: number = REQUEST_LOG_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Appends an entry, dropping the oldest beyond capacity. */
  record(entry: RequestLogEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) {
      this.#entries.splice(0, this.#entries.length - this.#capacity);
    }
  }

  /** A copy, oldest first. */
  entries(): RequestLogEntry[] {
    return [...this.#entries];
  }

  /** Empties the log. */
  clear(): void {
    this.#entries.length = 0;
  }
}
