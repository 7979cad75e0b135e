/**
 * The bench page's script: the same page serves every arm (`/bench/none/`, `/bench/bare/`,
 * `/bench/proxy/`); only the worker the runner asks it to register differs.
 */
import type { BenchPageApi } from './bench-page-api.js';
import { readTokenResponse, saveTokens } from './local-storage-tokens.js';
import { runLatency } from './run-latency.js';
import { runSteady } from './run-steady.js';
import { StormTab } from './storm-tab.js';

const LOGIN_BODY = JSON.stringify({ username: 'ada', password: 'secret' });

const postLogin = (): Promise<Response> =>
  fetch('/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: LOGIN_BODY });

const storm = new StormTab();

window.bench = {
  async useWorker(scriptUrl) {
    if (navigator.serviceWorker.controller?.scriptURL === new URL(scriptUrl, location.href).href) return;
    const controlled = new Promise<void>((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
    );
    await navigator.serviceWorker.register(scriptUrl, { scope: './' });
    // Both bench workers claim their clients on activation, so no reload is needed.
    await controlled;
  },
  async workerState() {
    return {
      controlled: navigator.serviceWorker.controller !== null,
      registrations: (await navigator.serviceWorker.getRegistrations()).length,
    };
  },
  async login() {
    const response = await postLogin();
    await response.arrayBuffer();
    return response.status;
  },
  async loginToLocalStorage() {
    const response = await postLogin();
    if (!response.ok) throw new Error(`Failed to log in: the server answered ${response.status}`);
    saveTokens(readTokenResponse(await response.json()));
  },
  runLatency,
  runSteady,
  armStorm: (options) => storm.arm(options),
  goStorm: () => storm.go(),
  stormResult: () => storm.result(),
} satisfies BenchPageApi;
