/**
 * A streamed response (no `Content-Length`: a chat reply, server-sent events) with the worker kept
 * alive until its body has been read to the end or cancelled.
 *
 * Firefox stops a worker once none of its events is in flight, even while a response it handed to
 * `respondWith` is still streaming, and the page's read then fails with an AbortError (seen in
 * Firefox ESR 153: with `dom.serviceWorkers.idle_timeout` at 1 s a 1.5 s chat reply never arrived;
 * the default is 30 s). Piping the body through the worker lets `waitUntil` cover it. Responses
 * with a `Content-Length` are passed on untouched: bounded, usually small, and piping every
 * response through the worker's thread would cost CPU on the hot path.
 */
export function holdWhileStreaming(response: Response, keepAlive: (done: Promise<unknown>) => void): Response {
  // Status 0: an opaque, opaque-redirect or error response. Nothing to hold, and no Response can be
  // rebuilt with that status (WebKit gives an opaque redirect a body, which would otherwise land here).
  if (response.status === 0 || response.body === null || response.headers.has('content-length')) return response;
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  // Settles when the body ends, fails, or the page cancels it (the cancel reaches the source).
  keepAlive(response.body.pipeTo(writable).catch(() => undefined));
  return new Response(readable, { status: response.status, statusText: response.statusText, headers: response.headers });
}
