import { describe, expect, it } from 'vitest';
import { registerAuthProxy } from '../../client/register-auth-proxy.js';
import { isConfigError } from '../../sw/errors/config-error.js';

/** The checks registerAuthProxy makes before it touches the browser: they throw, synchronously. */
describe('registerAuthProxy: page mode options', () => {
  it.each([
    [{ fallback: 'memory' }, /`fallback` must be 'none' or 'page', not "memory"/],
    [{ fallback: 'page' }, /`fallback: 'page'` needs `config`/],
    [{ fallback: 'page', config: null }, /`fallback: 'page'` needs `config`/],
  ])('%j is a ConfigError that says what to fix', (options, message) => {
    let caught: unknown;
    try {
      registerAuthProxy('/auth-sw.js', options as never);
    } catch (error) {
      caught = error;
    }
    expect(isConfigError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});
