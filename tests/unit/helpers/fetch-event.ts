import type { FetchHandler } from '../../../sw/fetch-handler.js';

/**
 * Dispatch `request` to the handler as a minimal FetchEvent. Returns what was passed to
 * `respondWith`, or `undefined` if the handler left the request to the browser. Promises the
 * handler passes to `waitUntil` (work that outlives the response) are pushed onto `extended`.
 */
export function dispatchFetch(
  handler: FetchHandler,
  request: Request,
  clientId = 'client-1',
  extended: Promise<unknown>[] = [],
): Promise<Response> | undefined {
  let responded: Promise<Response> | undefined;
  const event = {
    request,
    clientId,
    resultingClientId: '',
    respondWith(response: Response | PromiseLike<Response>): void {
      if (responded) throw new Error('respondWith was called twice');
      responded = Promise.resolve(response);
    },
    waitUntil(promise: Promise<unknown>): void {
      extended.push(promise);
    },
  };
  handler.handleEvent(event as unknown as FetchEvent);
  return responded;
}
