import { describe, expect, it } from 'vitest';
import { explainRegistrationFailure, type FailedRegistration } from '../../client/explain-registration-failure.js';

const SCRIPT = 'http://localhost:5173/sw.js';
const classic: FailedRegistration = { scriptUrl: SCRIPT, type: 'classic' };
const answer =
  (body: string, init: ResponseInit = {}) =>
  async (): Promise<Response> =>
    new Response(body, init);
// What Chromium says for each case, so the test also shows that the final period is not doubled.
const chromium = (detail: string) =>
  new TypeError(`Failed to register a ServiceWorker for scope ('http://localhost:5173/') with script ('${SCRIPT}'): ${detail}.`);

describe('explainRegistrationFailure', () => {
  it('an HTML answer: a wrong path or a dev server without the worker, not a ConfigError', async () => {
    const error = new DOMException(
      "Failed to register a ServiceWorker: The script has an unsupported MIME type ('text/html').",
      'SecurityError',
    );
    const reason = await explainRegistrationFailure(
      error,
      classic,
      answer('<!doctype html>', { headers: { 'content-type': 'text/html; charset=utf-8' } }),
    );
    expect(reason).toMatch(
      /^http:\/\/localhost:5173\/sw\.js is served as 'text\/html', not JavaScript: the path is wrong, or a dev server/,
    );
    expect(reason).toContain("devOptions: { enabled: true, type: 'module' }, and register /dev-sw.js?dev-sw, type: 'module'");
    expect(reason).not.toMatch(/ConfigError|\.\./);
  });

  it('no Content-Type at all is said so', async () => {
    const response = new Response('self.x = 1');
    response.headers.delete('content-type');
    const reason = await explainRegistrationFailure(new TypeError('bad'), classic, async () => response);
    expect(reason).toContain('is served as no Content-Type, not JavaScript');
  });

  it('a 404: the path', async () => {
    const reason = await explainRegistrationFailure(
      chromium('A bad HTTP response code (404) was received when fetching the script'),
      classic,
      answer('Not Found', { status: 404 }),
    );
    expect(reason).toBe(`${SCRIPT} answered 404: check the path the page registers, and that the server serves the worker script there`);
  });

  it.each([
    ['import { installAuthProxy } from "sw-auth-proxy/sw";\ninstallAuthProxy({});'],
    ["// built by Vite\nimport{a as b}from'./chunk.js';b();"],
    ['const config = {};\nexport { config };'],
  ])('an ES module registered as classic: type: module (%#)', async (source) => {
    const reason = await explainRegistrationFailure(
      chromium('ServiceWorker script evaluation failed'),
      classic,
      answer(source, { headers: { 'content-type': 'text/javascript' } }),
    );
    expect(reason).toBe(
      `${SCRIPT} is an ES module, registered as a classic script: pass type: 'module' to registerAuthProxy ` +
        `(Failed to register a ServiceWorker for scope ('http://localhost:5173/') with script ('${SCRIPT}'): ServiceWorker script evaluation failed)`,
    );
  });

  it('JavaScript that threw: the ConfigError hint, and the browser`s words without a doubled period', async () => {
    const js = { headers: { 'content-type': 'application/javascript; charset=utf-8' } };
    for (const type of ['classic', 'module'] as const) {
      const reason = await explainRegistrationFailure(
        chromium('ServiceWorker script evaluation failed'),
        { scriptUrl: SCRIPT, type },
        answer(type === 'module' ? 'import "x";' : 'self.importScripts("x.js");', js),
      );
      expect(reason).toMatch(/ServiceWorker script evaluation failed\): it threw while it ran; a ConfigError names the option to fix/);
      expect(reason).not.toContain('..');
    }
  });

  it('a scope outside the script`s directory: where to serve it, or Service-Worker-Allowed', async () => {
    let fetched = false;
    const reason = await explainRegistrationFailure(
      new DOMException(
        "Failed to register a ServiceWorker: The path of the provided scope ('/') is not under the max scope allowed ('/js/'). Adjust the scope, move the Service Worker script, or use the Service-Worker-Allowed HTTP header to allow the scope.",
        'SecurityError',
      ),
      { scriptUrl: 'http://localhost:5173/js/sw.js', type: 'classic' },
      async () => {
        fetched = true;
        return new Response('');
      },
    );
    expect(reason).toMatch(/^the scope is outside the directory of http:\/\/localhost:5173\/js\/sw\.js \(.*\): serve the worker script/);
    expect(reason).toContain('Service-Worker-Allowed header');
    expect(fetched).toBe(false);
  });

  it('a script that cannot be fetched at all: the browser`s words', async () => {
    const reason = await explainRegistrationFailure(
      new TypeError('Failed to register: net::ERR_CONNECTION_REFUSED.'),
      classic,
      async () => {
        throw new TypeError('Failed to fetch');
      },
    );
    expect(reason).toBe(`${SCRIPT} could not be fetched (Failed to register: net::ERR_CONNECTION_REFUSED)`);
  });
});
