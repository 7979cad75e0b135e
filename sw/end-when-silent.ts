/**
 * `body`, ended once its source has delivered nothing for `idleMs` while it was being read. For
 * event streams whose connection died without a close: the browser keeps such a stream open for
 * ever, and an `EventSource` reconnects only once its stream ends.
 *
 * It ends the way a server ends a stream (closed), not with an error: a body that errors makes
 * Chromium and Firefox fail the EventSource for good (`readyState` CLOSED, no reconnect; seen in
 * Chromium 150 and Firefox ESR 140 with the body coming from a worker), while after an end every
 * engine reconnects, after the stream's `retry:` delay. An event cut off mid-way is dropped by the
 * browser either way (HTML: pending data is discarded at the end of the stream).
 *
 * The clock runs only while a read waits on the source, from the moment the reader asks: a reader
 * that is busy elsewhere is not taken for a silent server, and nothing runs once the stream is
 * gone (ended, failed, or cancelled by the page). When it fires the source is cancelled too, so
 * the dead connection is let go rather than left to the network's own timeouts.
 */
export function endWhenSilent(body: ReadableStream<Uint8Array>, idleMs: number, onSilent: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      pull: async (controller) => {
        let silent = false;
        timer = setTimeout(() => {
          silent = true;
          controller.close();
          void reader.cancel().catch(() => undefined);
          onSilent();
        }, idleMs);
        try {
          const result = await reader.read();
          if (silent) return;
          if (result.done) controller.close();
          else controller.enqueue(result.value);
        } catch (error) {
          if (!silent) controller.error(error);
        } finally {
          clearTimeout(timer);
        }
      },
      cancel: (reason) => {
        clearTimeout(timer);
        return reader.cancel(reason);
      },
    },
    // Pull only when the reader asks, so the clock measures the source, not the reader.
    { highWaterMark: 0 },
  );
}
