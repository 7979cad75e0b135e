import type { Context } from 'hono';

/**
 * Raw bytes in, the same bytes out: replay tests compare them byte for byte, so nothing here may
 * parse or re-serialise the body.
 */
export async function echoBody(c: Context): Promise<Response> {
  const body = await c.req.arrayBuffer();
  const contentType = c.req.header('Content-Type');
  return new Response(body, { status: 200, headers: contentType === undefined ? {} : { 'Content-Type': contentType } });
}
