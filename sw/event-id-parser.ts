/**
 * The part of the event-stream parser that matters for resuming: the last event ID string as the
 * browser holds it after each chunk. Lines end in CR, LF or CRLF, possibly split across chunks.
 */
export class EventIdParser {
  readonly #decoder = new TextDecoder();
  #pending = '';
  /** The last event ID buffer: the latest `id` field seen. */
  #buffer: string;
  /** The last event ID string: the buffer as of the last dispatch (blank line). */
  #lastEventId: string;

  constructor(lastEventId = '') {
    this.#buffer = lastEventId;
    this.#lastEventId = lastEventId;
  }

  /** Feeds a chunk; returns the last event ID string after it. */
  push(chunk: Uint8Array): string {
    const text = this.#pending + this.#decoder.decode(chunk, { stream: true });
    // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
    const complete = text.endsWith('\r') ? text.length - 1 : text.length;
    const lines = text.slice(0, complete).split(/\r\n|\r|\n/);
    this.#pending = lines.pop()! + text.slice(complete);
    for (const line of lines) this.#line(line);
    return this.#lastEventId;
  }

  /** At the end of the stream: a last line ended by a lone CR still counts. */
  finish(): string {
    if (this.#pending.endsWith('\r')) this.#line(this.#pending.slice(0, -1));
    this.#pending = '';
    return this.#lastEventId;
  }

  #line(line: string): void {
    if (line === '') {
      this.#lastEventId = this.#buffer;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    if (name !== 'id') return;
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (!value.includes('\0')) this.#buffer = value;
  }
}
