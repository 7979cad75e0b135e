/** How far one tagged chat stream got, as `GET /demo/chat/:tag` reports it. */
export interface ChatStreamProgress {
  /** Words written to the response so far. */
  readonly written: number;
  readonly total: number;
  /** Waiting for `POST /demo/chat/:tag/resume`. */
  readonly paused: boolean;
  /** The last word was written and the response ended. */
  readonly done: boolean;
}

/** The writer's side of one tagged stream. */
export interface ChatStreamHandle {
  wrote(): void;
  /** Resolves on {@link ChatStreams.resume}, on `signal`, or on {@link ChatStreams.clear}. */
  pause(signal: AbortSignal): Promise<void>;
  finish(): void;
}

interface ChatStreamRecord {
  written: number;
  readonly total: number;
  paused: boolean;
  done: boolean;
  resume: (() => void) | undefined;
}

/** Tags are chosen by the caller; a bound keeps a looping client from growing the map forever. */
const MAX_TAGGED_STREAMS = 100;

/** Tags end up in `/demo/chat/:tag`, so they stay boring. */
export const CHAT_STREAM_TAG_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Server-side evidence for streaming tests. A chat stream started with `?tag=` reports how many
 * words it has written; with `?pauseAfter=n` it stops after n words until resumed. A page that reads
 * the first words while the server is provably still holding the rest shows the response was not
 * buffered anywhere on the way (the worker included), without comparing any clocks.
 */
export class ChatStreams {
  readonly #streams = new Map<string, ChatStreamRecord>();

  /** Starts tracking `tag` (replacing an earlier stream with the same tag). */
  begin(tag: string, total: number): ChatStreamHandle {
    this.#streams.get(tag)?.resume?.();
    this.#streams.delete(tag);
    if (this.#streams.size >= MAX_TAGGED_STREAMS) {
      const oldest = this.#streams.keys().next().value;
      if (oldest !== undefined) {
        this.#streams.get(oldest)?.resume?.();
        this.#streams.delete(oldest);
      }
    }
    const record: ChatStreamRecord = { written: 0, total, paused: false, done: false, resume: undefined };
    this.#streams.set(tag, record);
    return {
      wrote: () => void (record.written += 1),
      pause: (signal) =>
        new Promise<void>((resolve) => {
          const done = (): void => {
            record.paused = false;
            record.resume = undefined;
            signal.removeEventListener('abort', done);
            resolve();
          };
          if (signal.aborted) return done();
          record.paused = true;
          record.resume = done;
          signal.addEventListener('abort', done, { once: true });
        }),
      finish: () => void (record.done = true),
    };
  }

  progress(tag: string): ChatStreamProgress | undefined {
    const record = this.#streams.get(tag);
    return record && { written: record.written, total: record.total, paused: record.paused, done: record.done };
  }

  /** Lets a paused stream go on. False if `tag` is unknown or not paused. */
  resume(tag: string): boolean {
    const resume = this.#streams.get(tag)?.resume;
    resume?.();
    return resume !== undefined;
  }

  /** Resumes every paused stream (so none is left hanging) and forgets them all. */
  clear(): void {
    for (const record of this.#streams.values()) record.resume?.();
    this.#streams.clear();
  }
}
