/** One send out with a token, until its response headers are in. */
export interface RecallableSend {
  /** The signal the outgoing request carries: the page's abort, and the recall. */
  readonly signal: AbortSignal;
  /** Whether it was recalled: its answer (or its failure) is the recall's, not the server's. */
  readonly recalled: boolean;
  /** Its headers are in (or it failed): from now on nothing recalls it. */
  close(): void;
}

/** Only safe methods (RFC 9110 §9.2.1): one that already reached the server may run twice. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The first sends of safe requests that are out with a token and have no answer yet, by the
 * session generation of that token.
 *
 * When one of them comes back 401 for its token, the others out with the same token will meet the
 * same 401. On a loaded machine a burst hands most of its requests to the browser before the
 * first 401 is back, and most of them still sit in the browser's connection queue (six per host
 * on HTTP/1.1), in front of the refresh: each would cost the server a round trip and the page a
 * replay before the refresh even goes out. They are recalled instead: aborted by the worker (the
 * page sees nothing of it) and sent again with the new token.
 *
 * @example
 * ```ts
 * const send = sends.open('GET', record.generation, page.signal);
 * try {
 *   response = await fetch(new Request(page, { signal: send?.signal }));
 * } finally {
 *   send?.close();
 * }
 * if (response.status === 401) sends.recall(record.generation);
 * ```
 */
export class RecallableSends {
  readonly #out = new Set<{ generation: number; controller: AbortController }>();

  /**
   * A send of `method` with the token of `generation` to track, or `undefined` for one that is
   * never recalled (an unsafe method, or a page that has aborted already).
   */
  open(method: string, generation: number, pageSignal: AbortSignal | null): RecallableSend | undefined {
    if (!SAFE_METHODS.has(method) || pageSignal?.aborted) return undefined;
    const controller = new AbortController();
    // The request's own signal is replaced, so the page's abort is passed on, for the body too.
    pageSignal?.addEventListener('abort', () => controller.abort(pageSignal.reason), { once: true });
    const entry = { generation, controller };
    this.#out.add(entry);
    return {
      signal: controller.signal,
      // An abort that came first (the page's) keeps its reason: a later recall changes nothing.
      get recalled() {
        return controller.signal.reason === RECALL;
      },
      close: () => this.#out.delete(entry),
    };
  }

  /** Recall every send still out with the token of `generation` or an older one; how many. */
  recall(generation: number): number {
    let count = 0;
    for (const entry of this.#out) {
      if (entry.generation > generation) continue;
      this.#out.delete(entry);
      entry.controller.abort(RECALL);
      count++;
    }
    return count;
  }
}

/** The abort reason of a recall: never the page's, so a recall and a page's abort stay apart. */
const RECALL = new DOMException('Recalled: its token was rejected', 'AbortError');
