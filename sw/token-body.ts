/**
 * A token endpoint's 2xx body, read by what it is, not by the Content-Type the server happened to
 * send: servers answer RFC 6749 §5.1 JSON as `text/plain`, and GitHub's OAuth answers
 * form-encoded unless asked for JSON. A boundary that trusted the header would hand such a body,
 * refresh token and all, to the page.
 *
 * - `json`: a JSON object, whatever the Content-Type.
 * - `form`: `application/x-www-form-urlencoded` with an `access_token` or `refresh_token` field.
 * - `other`: neither; `holdsRefreshToken` says whether it mentions one anywhere (nested JSON,
 *   camelCase, HTML), which the proxy cannot scrub and so must not pass on.
 */
export type TokenBody = { format: 'json' | 'form'; fields: Record<string, unknown> } | { format: 'other'; holdsRefreshToken: boolean };

/**
 * `refresh_token`, `refreshToken`, `refresh-token`, in any case; not GitHub's
 * `refresh_token_expires_in`, a lifetime, which `\b` keeps out (`_` is a word character).
 */
const REFRESH_TOKEN_NAME = /refresh[_-]?token\b/i;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readTokenBody(text: string): TokenBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const form = new URLSearchParams(text.trim());
    if (form.has('access_token') || form.has('refresh_token')) {
      const fields: Record<string, unknown> = {};
      // The first of repeated names, as URLSearchParams.get() reads it.
      form.forEach((value, name) => {
        if (!(name in fields)) fields[name] = value;
      });
      return { format: 'form', fields };
    }
    return { format: 'other', holdsRefreshToken: REFRESH_TOKEN_NAME.test(text) };
  }
  if (isObject(parsed)) return { format: 'json', fields: parsed };
  // Parsed JSON is also checked re-serialised: `"refresh\u005ftoken"` is the same name.
  return { format: 'other', holdsRefreshToken: REFRESH_TOKEN_NAME.test(text) || REFRESH_TOKEN_NAME.test(JSON.stringify(parsed)) };
}

/** Whether a JSON object or form holds a refresh token somewhere other than its top-level field. */
export function holdsOtherRefreshToken(fields: Record<string, unknown>): boolean {
  const { refresh_token: _kept, ...rest } = fields;
  return REFRESH_TOKEN_NAME.test(JSON.stringify(rest));
}

/** The body in its own format again (a form stays a form). */
export function encodeTokenBody(format: 'json' | 'form', fields: Record<string, unknown>): string {
  if (format === 'json') return JSON.stringify(fields);
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
  return form.toString();
}
