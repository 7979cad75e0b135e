import type { Context, Handler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { DemoState } from './demo-state.js';
import { issueTokens } from './issue-tokens.js';
import { REFRESH_COOKIE_NAME, clearRefreshCookie, oauthError, tokenResponse, type RefreshTokenDelivery } from './oauth-responses.js';
import { readParams, type BodyParams } from './read-params.js';
import { refreshLogOutcome } from './refresh-log.js';
import { startRefreshAttempt } from './refresh-faults.js';
import { tokenRequestProof } from './token-request-proof.js';

/**
 * `POST /auth/token`: the RFC 6749 token endpoint for the `refresh_token` (§6, with rotation and
 * reuse detection) and `authorization_code` (§4.1.3, with RFC 7636 PKCE) grants.
 */
export function tokenEndpoint(state: DemoState): Handler {
  return async (c) => {
    const params = await readParams(c);
    if (!params) return oauthError(c, 'invalid_request', 'body is neither a form nor a JSON object');
    switch (params['grant_type']) {
      case 'refresh_token':
        return refreshTokenGrant(c, state, params);
      case 'authorization_code':
        return authorizationCodeGrant(c, state, params);
      case undefined:
        return oauthError(c, 'invalid_request', 'grant_type missing');
      default:
        return oauthError(c, 'unsupported_grant_type');
    }
  };
}

async function refreshTokenGrant(c: Context, state: DemoState, params: BodyParams): Promise<Response> {
  state.counters.refreshCalls += 1;
  // A refresh token in the body wins; without one, cookie mode is implied and the answer goes back
  // into the cookie, so the rotated token never reaches script either.
  const fromBody = params['refresh_token'];
  const presented = fromBody ?? getCookie(c, REFRESH_COOKIE_NAME);
  const delivery: RefreshTokenDelivery = fromBody === undefined ? 'cookie' : 'body';

  // RFC 9449 §5: a refresh token bound to a DPoP key is good only with a proof of that key. Checked
  // before anything else (an idempotent replay included), and a mismatch neither rotates nor
  // revokes: a stolen token used elsewhere must not end the real session.
  const proof = await tokenRequestProof(c, state);
  if (proof instanceof Response) return proof;
  const binding = presented === undefined ? undefined : state.sessions.bindingOf(presented);
  if (typeof binding === 'string' && proof.jkt !== binding) {
    state.counters.dpopBindingRefusals += 1;
    return oauthError(c, 'invalid_grant', 'the refresh token is bound to another DPoP key');
  }

  // A retry of a refresh this server already answered (or is answering): same result, no reuse.
  const key = c.req.header('idempotency-key');
  if (key !== undefined && presented !== undefined && presented !== '') {
    const earlier = await state.idempotentRefreshes.reuse(key, presented);
    if (earlier) {
      state.counters.idempotentReplays += 1;
      state.refreshLog.begin(state.clock.now()).settle('idempotent-replay');
      return tokenResponse(c, earlier, delivery);
    }
  }
  const settleKey =
    key !== undefined && presented !== undefined && presented !== '' ? state.idempotentRefreshes.begin(key, presented) : () => {};

  // Logs the call; a queued fault (POST /demo/faults) answers instead, so a faulted call never rotates.
  const attempt = await startRefreshAttempt(c, state);
  if (attempt.faulted) {
    settleKey(undefined);
    return attempt.faulted;
  }
  if (presented === undefined || presented === '') {
    attempt.settle('invalid_request');
    return oauthError(c, 'invalid_request', 'refresh_token missing (neither in the body nor in the cookie)');
  }
  const outcome = state.sessions.rotate(presented);
  attempt.settle(refreshLogOutcome(outcome));
  if (outcome.kind !== 'rotated') settleKey(undefined);
  switch (outcome.kind) {
    case 'rotated': {
      const issued = await issueTokens(state, outcome);
      settleKey(issued);
      return tokenResponse(c, issued, delivery);
    }
    case 'reused':
      state.counters.reuseDetected += 1;
      return rejectRefresh(c, delivery, 'refresh token reuse detected; the token family is revoked');
    case 'revoked':
      return rejectRefresh(c, delivery);
    case 'expired':
      return rejectRefresh(c, delivery);
    case 'unknown':
      return rejectRefresh(c, delivery);
    default:
      return assertNever(outcome);
  }
}

function rejectRefresh(c: Context, delivery: RefreshTokenDelivery, description?: string): Response {
  if (delivery === 'cookie') clearRefreshCookie(c);
  return oauthError(c, 'invalid_grant', description);
}

async function authorizationCodeGrant(c: Context, state: DemoState, params: BodyParams): Promise<Response> {
  state.counters.authorizationCodeExchanges += 1;
  const code = params['code'];
  if (code === undefined || code === '') return oauthError(c, 'invalid_request', 'code missing');
  // Before the code is redeemed: a proof refused for its nonce is sent again with the same code.
  const proof = await tokenRequestProof(c, state);
  if (proof instanceof Response) return proof;
  const outcome = state.codes.redeem(code, {
    clientId: params['client_id'],
    redirectUri: params['redirect_uri'],
    codeVerifier: params['code_verifier'],
  });
  if (outcome.kind === 'invalid') {
    if (outcome.familyId !== undefined) state.sessions.revokeFamily(outcome.familyId);
    return oauthError(c, 'invalid_grant', outcome.reason);
  }
  const family = state.sessions.startFamily(outcome.sub, proof.jkt);
  state.codes.bindFamily(code, family.familyId);
  const delivery: RefreshTokenDelivery = params['refreshTokenDelivery'] === 'cookie' ? 'cookie' : 'body';
  return tokenResponse(c, await issueTokens(state, { sub: outcome.sub, ...family, ...proof }), delivery);
}

function assertNever(value: never): never {
  throw new Error(`Failed to handle refresh outcome: ${JSON.stringify(value)}`);
}
