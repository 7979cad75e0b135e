import { describe, expect, it, vi } from 'vitest';
import { Logger, redact } from '../../sw/logger.js';

/** A JWT-shaped value (header.payload.signature), as an access token looks. */
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEiLCJleHAiOjE4OTM0NTYwMDB9.c2lnbmF0dXJlLWJ5dGVz';
const OPAQUE = 'rt_8f3a9c2b7d1e4f6a0b5c8d2e9f1a3b7c';
const UUID = '3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f7a8b9c';

function logged() {
  const lines: string[] = [];
  return { logger: new Logger((line) => lines.push(line)), lines };
}

describe('Logger', () => {
  it('is off by default: nothing reaches the sink', () => {
    const { logger, lines } = logged();
    expect(logger.enabled).toBe(false);
    logger.debug('refresh-started', { refreshId: 'r1' });
    expect(lines).toEqual([]);
  });

  it('writes one prefixed, structured line per event once enabled', () => {
    const { logger, lines } = logged();
    logger.enabled = true;
    logger.debug('refresh-retry', { refreshId: 'r1', attempt: 2, delayMs: 500, final: false, status: null, reason: 'server-error' });
    logger.debug('ready');
    expect(lines).toEqual([
      '[sw-auth-proxy] refresh-retry refreshId="r1" attempt=2 delayMs=500 final=false status=null reason="server-error"',
      '[sw-auth-proxy] ready',
    ]);
  });

  it('quotes string values, so a value with spaces or "=" cannot forge another field', () => {
    const { logger, lines } = logged();
    logger.enabled = true;
    logger.debug('request-failed', { url: 'https://api.example.com/a b', error: 'x" forged="y' });
    expect(lines).toEqual(['[sw-auth-proxy] request-failed url="https://api.example.com/a b" error="x\\" forged=\\"y"']);
  });

  it('stops when switched off again', () => {
    const { logger, lines } = logged();
    logger.enabled = true;
    logger.debug('a');
    logger.enabled = false;
    logger.debug('b');
    expect(lines).toEqual(['[sw-auth-proxy] a']);
  });

  it('masks token-shaped values in fields', () => {
    const { logger, lines } = logged();
    logger.enabled = true;
    logger.debug('oops', { header: `Bearer ${JWT}`, body: `refresh_token=${OPAQUE}` });
    expect(lines).toEqual(['[sw-auth-proxy] oops header="Bearer [jwt]" body="refresh_token=[redacted]"']);
  });

  it('logs to console.debug unless given a sink', () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    try {
      const logger = new Logger();
      logger.enabled = true;
      logger.debug('state', { state: 'backoff' });
      expect(debug).toHaveBeenCalledWith('[sw-auth-proxy] state state="backoff"');
    } finally {
      debug.mockRestore();
    }
  });
});

describe('redact', () => {
  it.each([
    ['a JWT', JWT, '[jwt]'],
    ['a JWT inside text', `token ${JWT} expired`, 'token [jwt] expired'],
    ['a JWT without signature', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZGEifQ.', '[jwt]'],
    ['a long opaque token', OPAQUE, '[redacted]'],
    ['a long opaque token inside text', `rt=${OPAQUE};`, 'rt=[redacted];'],
    ['32 word characters', 'a'.repeat(32), '[redacted]'],
  ])('masks %s', (_case, value, masked) => {
    expect(redact(value)).toBe(masked);
  });

  it.each([
    ['a UUID (client ids)', UUID],
    ['a UUID in a URL path', `https://api.example.com/api/items/${UUID}`],
    ['an uppercase UUID', UUID.toUpperCase()],
    ['31 word characters', 'a'.repeat(31)],
    ['a refresh id', 'rlq3x9k2a'],
    ['a URL without a query', 'https://api.example.com/api/me'],
    ['an event name', 'refresh-started'],
  ])('keeps %s', (_case, value) => {
    expect(redact(value)).toBe(value);
  });

  it('masks a UUID glued to other characters, since that run is no longer a UUID', () => {
    expect(redact(`x${UUID}`)).toBe('[redacted]');
  });

  it.each([42, true, null])('passes %s through', (value) => {
    expect(redact(value)).toBe(value);
  });
});
