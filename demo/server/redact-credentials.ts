import { decodeProtectedHeader } from 'jose';

/** The kinds of credential the request log recognises by value. */
export type CredentialKind = 'jwt' | 'refresh_token' | 'authorization_code' | 'ws_ticket';

/** Says whether a value is a credential the server handed out, and which kind. */
export type CredentialRecogniser = (value: string) => CredentialKind | undefined;

/** Query parameters whose values are credentials by definition, whatever they contain. */
const SENSITIVE_PARAMETERS: ReadonlySet<string> = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'code',
  'code_verifier',
  'password',
  'client_secret',
]);

/** A path and query with credentials replaced by markers, safe to keep and to return. */
export interface RedactedUrl {
  readonly path: string;
  readonly query: string;
}

/**
 * Replaces credentials in a path and a raw query string (without `?`) with `[<kind>]` markers,
 * and values of well-known credential parameters with `[redacted]`. Everything else is kept as
 * received, so the log still shows what the URL looked like.
 *
 * @example
 * ```ts
 * redactCredentials('/api/items/1', 'access_token=eyJ...&x=1', recognise);
 * // { path: '/api/items/1', query: 'access_token=[jwt]&x=1' }
 * ```
 */
export function redactCredentials(path: string, query: string, recognise: CredentialRecogniser): RedactedUrl {
  const redactedPath = path
    .split('/')
    .map((segment) => {
      const kind = recogniseAny(safeDecode(segment), recognise);
      return kind ? `[${kind}]` : segment;
    })
    .join('/');
  const redactedQuery =
    query === ''
      ? ''
      : query
          .split('&')
          .map((pair) => redactPair(pair, recognise))
          .join('&');
  return { path: redactedPath, query: redactedQuery };
}

/** Recognises the server's own opaque tokens, and any JWS-shaped string as `jwt`. */
export function recogniseAny(value: string, recognise: CredentialRecogniser): CredentialKind | undefined {
  // Words too, so `Bearer <token>` smuggled into a URL is caught as well.
  for (const candidate of [value, ...value.split(/\s+/)]) {
    if (candidate === '') continue;
    const kind = recognise(candidate) ?? (looksLikeJws(candidate) ? 'jwt' : undefined);
    if (kind) return kind;
  }
  return undefined;
}

function redactPair(pair: string, recognise: CredentialRecogniser): string {
  const separator = pair.indexOf('=');
  const rawName = separator === -1 ? pair : pair.slice(0, separator);
  // URLSearchParams does the form decoding ('+' and percent escapes) of this one pair.
  const decoded = [...new URLSearchParams(pair).entries()][0];
  const [name, value] = decoded ?? ['', ''];
  const nameKind = recogniseAny(name, recognise);
  if (nameKind) return `[${nameKind}]`;
  if (separator === -1) return pair;
  const valueKind = recogniseAny(value, recognise);
  if (valueKind) return `${rawName}=[${valueKind}]`;
  if (SENSITIVE_PARAMETERS.has(name.toLowerCase()) && value !== '') return `${rawName}=[redacted]`;
  return pair;
}

function looksLikeJws(value: string): boolean {
  if (value.split('.').length !== 3) return false;
  try {
    return typeof decodeProtectedHeader(value).alg === 'string';
  } catch {
    return false;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
