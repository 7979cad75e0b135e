import type { Context } from 'hono';

/** String parameters of a request body; absent and non-string values are simply not there. */
export type BodyParams = Readonly<Record<string, string>>;

/**
 * Reads a form-encoded (RFC 6749 §3.2 says token requests are forms) or JSON body into string
 * parameters. An empty or unrecognised body gives `{}`; malformed JSON gives `undefined`, which
 * callers answer with `invalid_request`.
 */
export async function readParams(c: Context): Promise<BodyParams | undefined> {
  const contentType = c.req.header('Content-Type')?.toLowerCase() ?? '';
  if (contentType.includes('json')) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return undefined;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    return onlyStrings(Object.entries(body));
  }
  if (contentType.startsWith('application/x-www-form-urlencoded') || contentType.startsWith('multipart/form-data')) {
    try {
      return onlyStrings(Object.entries(await c.req.parseBody()));
    } catch {
      return undefined;
    }
  }
  return {};
}

function onlyStrings(entries: [string, unknown][]): BodyParams {
  const params: Record<string, string> = {};
  for (const [key, value] of entries) if (typeof value === 'string') params[key] = value;
  return params;
}
