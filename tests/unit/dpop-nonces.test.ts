import { describe, expect, it } from 'vitest';
import { DpopNonces, asksForNonce } from '../../sw/dpop-nonces.js';

const withNonce = (nonce: string, init: ResponseInit = {}) => new Response(null, { ...init, headers: { 'DPoP-Nonce': nonce } });

describe('DpopNonces', () => {
  it('keeps one nonce per origin, the latest one, and says when it changed', () => {
    const nonces = new DpopNonces();
    expect(nonces.for('https://api.example.com/me')).toBeUndefined();

    expect(nonces.update('https://api.example.com/a', withNonce('n-1'))).toBe(true);
    expect(nonces.update('https://api.example.com/b', withNonce('n-1'))).toBe(false);
    expect(nonces.update('https://auth.example.com/token', withNonce('m-1'))).toBe(true);
    expect(nonces.update('https://api.example.com/c?x=1', withNonce('n-2'))).toBe(true);

    expect(nonces.for('https://api.example.com/anything')).toBe('n-2');
    expect(nonces.for('https://auth.example.com/token')).toBe('m-1');
    expect(nonces.for('https://api.example.com:8443/me')).toBeUndefined();
  });

  it.each([['with a space'], ['"quoted"'], ['back\\slash'], ['']])('ignores a nonce that is not NQCHAR: %j', (nonce) => {
    const nonces = new DpopNonces();
    const response = nonce === '' ? new Response(null, { headers: { 'DPoP-Nonce': '' } }) : withNonce(nonce);
    expect(nonces.update('https://api.example.com/', response)).toBe(false);
    expect(nonces.for('https://api.example.com/')).toBeUndefined();
  });
});

describe('asksForNonce', () => {
  it('a resource server: 401 with a DPoP use_dpop_nonce challenge', async () => {
    const challenge = (value: string) => new Response(null, { status: 401, headers: { 'WWW-Authenticate': value } });
    expect(await asksForNonce(challenge('DPoP error="use_dpop_nonce", error_description="Resource server requires nonce"'))).toBe(true);
    expect(await asksForNonce(challenge('DPoP error="invalid_token"'))).toBe(false);
    expect(await asksForNonce(challenge('Bearer error="use_dpop_nonce"'))).toBe(false);
    expect(await asksForNonce(new Response(null, { status: 401 }))).toBe(false);
  });

  it('an authorization server: 400 with error use_dpop_nonce in its JSON, the body left readable', async () => {
    const response = Response.json({ error: 'use_dpop_nonce', error_description: 'nonce required' }, { status: 400 });
    expect(await asksForNonce(response)).toBe(true);
    expect(await response.json()).toMatchObject({ error: 'use_dpop_nonce' });
    expect(await asksForNonce(Response.json({ error: 'invalid_grant' }, { status: 400 }))).toBe(false);
    expect(await asksForNonce(new Response('not json', { status: 400 }))).toBe(false);
    expect(await asksForNonce(Response.json({ error: 'use_dpop_nonce' }, { status: 200 }))).toBe(false);
  });
});
