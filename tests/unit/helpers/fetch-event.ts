import type { FetchHandler } from '../../../sw/fetch-handler.js';

/**
 * Dispatch `request` to the handler as a minimal FetchEvent. Returns what was passed to
 * `respondWith`, or `undefined` if the handler left the request to the browser.
 */
export function dispatchFetch(handler: FetchHandler, request: Request, clientId = 'client-1'): Promise<Response> | undefined {
  let responded: Promise<Response> | undefined;
  const event = {
    request,
    clientId,
    resultingClientId: '',
    respondWith(response: Response | PromiseLike<Response>): void {
      if (responded) throw new Error('respondWith was called twice');
      responded = Promise.resolve(response);
    },
  };
  handler.handleEvent(event as unknown as FetchEvent);
  return responded;
}
