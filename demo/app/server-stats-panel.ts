import { demoHooks, type DemoStats } from './demo-hooks.js';
import { element } from './element.js';
import { formatClockTime } from './format-time.js';

/** The demo server's counters shown, in this order. Keys of `GET /demo/stats`. */
const COUNTERS = [
  ['loginCalls', 'Logins'],
  ['refreshCalls', 'Refresh calls'],
  ['reuseDetected', 'Reuse detected'],
  ['unauthorized', '401 answers'],
  ['apiCalls', 'API calls'],
  ['faultsInjected', 'Faults injected'],
] as const;

/** The counters panel; `update()` fetches them again, `latest()` is the last answer. */
export interface ServerStatsPanel {
  update(): Promise<void>;
  latest(): DemoStats | null;
}

/**
 * What the demo server counted, from `GET /demo/stats`: the evidence that N tabs made one refresh
 * call, and that no rotated refresh token was ever replayed (`reuseDetected` stays 0). Each tile
 * carries `data-counter="<key>"`.
 */
export function mountServerStatsPanel(root: HTMLElement): ServerStatsPanel {
  const tiles = new Map<string, HTMLElement>();
  const asOf = element('p', { class: 'caption' }, 'waiting for the server…');
  // Only with a DPoP worker (the `dpop` variant): what the server last verified, never a token.
  const dpop = element('p', { class: 'caption', 'data-field': 'dpop-proof' });
  root.replaceChildren(
    element(
      'div',
      { class: 'tiles' },
      ...COUNTERS.map(([key, label]) => {
        const value = element('span', { class: 'value' }, '–');
        tiles.set(key, value);
        return element('div', { class: 'tile', 'data-counter': key }, value, element('span', { class: 'label' }, label));
      }),
    ),
    asOf,
    dpop,
    element(
      'p',
      { class: 'caption' },
      'A storm after expiry adds one refresh call, however many tabs fire it. Reuse detected means a rotated refresh token was spent twice; it must stay 0.',
    ),
  );
  let latest: DemoStats | null = null;

  return {
    latest: () => latest,
    update: async () => {
      try {
        latest = await demoHooks.stats();
      } catch (error) {
        asOf.textContent = error instanceof Error ? error.message : String(error);
        return;
      }
      for (const [key, value] of tiles) {
        const count = latest[key] ?? 0;
        value.textContent = String(count);
        // Reuse means a rotated refresh token was presented again: the thing this library prevents.
        value.parentElement?.classList.toggle('alarm', key === 'reuseDetected' && count > 0);
      }
      asOf.textContent = `as of ${formatClockTime(Date.now())} · access tokens live ${latest['accessTokenTtl'] ?? '?'} s`;
      const proof = (latest['dpopProofs'] ?? 0) > 0 ? await demoHooks.lastDpopProof().catch(() => null) : null;
      dpop.textContent =
        proof === null
          ? ''
          : `DPoP: ${latest['dpopProofs']} proofs verified, ${latest['dpopRefused'] ?? 0} refused · last ${proof.htm} ${new URL(proof.htu).pathname}` +
            ` at ${formatClockTime(proof.iat * 1000)}${proof.nonce ? ' with the server nonce' : ''}, key ${proof.jkt}`;
    },
  };
}
