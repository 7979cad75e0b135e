import { UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenResponseError, isTokenResponseError } from '../../sw/errors/token-response-error.js';
import { parseTokenResponse, serverTimeOffset } from '../../sw/token-response.js';

const NOW = 1_700_000_000_000;
const ACCESS = 'eyJhbGciOiJSUzI1NiJ9.secret-access-token.sig';
const REFRESH = 'secret-refresh-token-8f3a';

/** The TokenResponseError `parseTokenResponse` throws for `body`; fails the test if it does not throw one. */
function parseError(body: unknown): TokenResponseError {
  try {
    parseTokenResponse(body, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenResponseError);
    return error as TokenResponseError;
  }
  throw new Error('expected parseTokenResponse to throw a TokenResponseError');
}

const NOT_BEARER = '`token_type` is not "Bearer" (sender-constrained tokens need the `dpop` option)';

describe('parseTokenResponse', () => {
  it('reads a complete RFC 6749 §5.1 response', () => {
    expect(
      parseTokenResponse(
        { access_token: ACCESS, token_type: 'Bearer', expires_in: 3600, refresh_token: REFRESH, scope: 'read write', id_token: 'x' },
        NOW,
      ),
    ).toEqual({
      accessToken: ACCESS,
      refreshToken: REFRESH,
      issuedAt: NOW,
      expiresAt: NOW + 3_600_000,
      scope: 'read write',
      serverTimeOffsetMs: 0,
    });
  });

  it('reads a minimal one: no refresh token, expiry, scope or type', () => {
    expect(parseTokenResponse({ access_token: ACCESS }, NOW)).toEqual({
      accessToken: ACCESS,
      refreshToken: null,
      issuedAt: NOW,
      expiresAt: null,
      scope: null,
      serverTimeOffsetMs: 0,
    });
  });

  it.each(['bearer', 'BEARER', 'Bearer'])('compares token_type case-insensitively (%s)', (tokenType) => {
    expect(parseTokenResponse({ access_token: ACCESS, token_type: tokenType }, NOW).accessToken).toBe(ACCESS);
  });

  it.each([
    ['3600', NOW + 3_600_000],
    ['0', NOW],
    ['1.5', NOW + 1500],
  ])('accepts expires_in as a numeric string (%s)', (expiresIn, expiresAt) => {
    expect(parseTokenResponse({ access_token: ACCESS, expires_in: expiresIn }, NOW).expiresAt).toBe(expiresAt);
  });

  it('treats a null refresh_token or expires_in as absent', () => {
    expect(parseTokenResponse({ access_token: ACCESS, refresh_token: null, expires_in: null }, NOW)).toMatchObject({
      refreshToken: null,
      expiresAt: null,
    });
  });

  it('ignores a scope that is not a string', () => {
    expect(parseTokenResponse({ access_token: ACCESS, scope: ['read'] }, NOW).scope).toBeNull();
  });

  describe('clocks', () => {
    const inTenMinutes = new Date(NOW + 600_000).toUTCString();

    it('counts expires_in from when the worker received the response, whatever the server`s clock says', () => {
      expect(parseTokenResponse({ access_token: ACCESS, expires_in: 60 }, NOW, inTenMinutes)).toMatchObject({
        issuedAt: NOW,
        expiresAt: NOW + 60_000,
      });
    });

    it('records the server`s clock minus the worker`s from the Date header', () => {
      expect(parseTokenResponse({ access_token: ACCESS }, NOW, inTenMinutes).serverTimeOffsetMs).toBe(600_000);
      expect(parseTokenResponse({ access_token: ACCESS }, NOW, new Date(NOW - 90_000).toUTCString()).serverTimeOffsetMs).toBe(-90_000);
    });

    it.each([null, 'not a date', ''])('takes the offset as 0 without a usable Date header (%j)', (header) => {
      expect(parseTokenResponse({ access_token: ACCESS }, NOW, header).serverTimeOffsetMs).toBe(0);
      expect(serverTimeOffset(header, NOW)).toBe(0);
    });

    it('without expires_in the lifetime is unknown, even for a JWT with exp (an absolute exp would be read against a skewed clock)', () => {
      const jwt = new UnsecuredJWT({ sub: 'ada' }).setExpirationTime(Math.floor(NOW / 1000) + 300).encode();
      expect(parseTokenResponse({ access_token: jwt }, NOW, inTenMinutes).expiresAt).toBeNull();
    });
  });

  it.each([
    ['not an object', 'a string', 'it is neither a JSON object nor form-encoded'],
    ['null', null, 'it is neither a JSON object nor form-encoded'],
    ['an array', [ACCESS], 'it is neither a JSON object nor form-encoded'],
    ['missing access_token', { token_type: 'Bearer', refresh_token: REFRESH }, '`access_token` is missing or not a string'],
    ['empty access_token', { access_token: '', refresh_token: REFRESH }, '`access_token` is missing or not a string'],
    ['numeric access_token', { access_token: 123456789, refresh_token: REFRESH }, '`access_token` is missing or not a string'],
    ['DPoP token_type', { access_token: ACCESS, token_type: 'DPoP', refresh_token: REFRESH }, NOT_BEARER],
    ['MAC token_type', { access_token: ACCESS, token_type: 'mac', refresh_token: REFRESH }, NOT_BEARER],
    ['non-string token_type', { access_token: ACCESS, token_type: 1 }, NOT_BEARER],
    ['numeric refresh_token', { access_token: ACCESS, refresh_token: 987654321 }, '`refresh_token` is not a string'],
    ['empty refresh_token', { access_token: ACCESS, refresh_token: '' }, '`refresh_token` is not a string'],
    [
      'non-numeric expires_in',
      { access_token: ACCESS, refresh_token: REFRESH, expires_in: 'soon' },
      '`expires_in` is not a non-negative number of seconds',
    ],
    ['negative expires_in', { access_token: ACCESS, expires_in: -1 }, '`expires_in` is not a non-negative number of seconds'],
    ['infinite expires_in', { access_token: ACCESS, expires_in: 'Infinity' }, '`expires_in` is not a non-negative number of seconds'],
    ['boolean expires_in', { access_token: ACCESS, expires_in: true }, '`expires_in` is not a non-negative number of seconds'],
  ])('rejects %s, saying which field is wrong', (_case, body, reason) => {
    const error = parseError(body);
    expect(error.name).toBe('TokenResponseError');
    expect(isTokenResponseError(error)).toBe(true);
    expect(error.message).toBe(`Failed to read the token response: ${reason}`);
  });

  it.each([
    { access_token: ACCESS, token_type: 'DPoP', refresh_token: REFRESH },
    { access_token: ACCESS, refresh_token: 987654321 },
    { access_token: 123456789, refresh_token: REFRESH },
    { access_token: ACCESS, refresh_token: REFRESH, expires_in: 'soon' },
    { access_token: ACCESS, refresh_token: REFRESH, token_type: REFRESH },
    { access_token: ACCESS, refresh_token: REFRESH, expires_in: ACCESS },
  ])('never quotes a value in its message (%o)', (body) => {
    const error = parseError(body);
    const text = `${error.message} ${JSON.stringify(error.toWire())} ${String(error.stack)}`;
    for (const value of Object.values(body)) {
      expect(text).not.toContain(String(value));
    }
  });
});

describe('parseTokenResponse with DPoP (RFC 9449 §5)', () => {
  const parseDpop = (body: unknown) => parseTokenResponse(body, NOW, null, 'DPoP');

  it.each(['DPoP', 'dpop'])('accepts token_type %s, compared case-insensitively', (tokenType) => {
    expect(parseDpop({ access_token: ACCESS, token_type: tokenType, refresh_token: REFRESH })).toMatchObject({
      accessToken: ACCESS,
      refreshToken: REFRESH,
    });
  });

  it.each([
    ['a Bearer token', { access_token: ACCESS, token_type: 'Bearer' }],
    ['a token without a type', { access_token: ACCESS }],
  ])('refuses %s: it is not bound to the key, and using it would be a silent downgrade', (_case, body) => {
    expect(() => parseDpop(body)).toThrow(
      'Failed to read the token response: `token_type` is not "DPoP": `dpop` is on, and the server did not bind the token to the key',
    );
  });
});
