import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { chatReply } from '../../demo/server/chat-reply.js';
import { createDemoApp } from '../../demo/server/create-demo-app.js';
import { startDemoServer, type DemoServer } from '../../demo/server/start-demo-server.js';

// The demo server's realtime endpoints: event stream, chat stream, WebSocket tickets and sockets.

const servers: DemoServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(accessTokenTtl = 30): Promise<{ origin: string; wsUrl: string; token: string }> {
  const server = await startDemoServer({ port: 0, accessTokenTtl, distDir: '/nonexistent-demo-dist' });
  servers.push(server);
  const origin = server.url.slice(0, -1);
  const token = await login(origin);
  return { origin, wsUrl: `${origin.replace(/^http/, 'ws')}/api/ws`, token };
}

async function login(origin: string): Promise<string> {
  const response = await fetch(`${origin}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'ada', password: 'secret' }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function ticket(origin: string, token: string): Promise<string> {
  const response = await fetch(`${origin}/api/ws-ticket`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { ticket: string; expires_in: number };
  expect(body.expires_in).toBe(30);
  return body.ticket;
}

interface Outcome {
  protocol: string;
  messages: string[];
  code: number;
  reason: string;
}

/** Opens a socket, optionally sends one message once welcomed, and reports how it ended. */
function open(
  url: string,
  protocols: string[],
  options: { send?: string; closeAfter?: number } = {},
): Promise<Outcome> & { socket: WebSocket } {
  const socket = new WebSocket(url, protocols);
  const messages: string[] = [];
  const promise = new Promise<Outcome>((resolve, reject) => {
    socket.on('message', (data) => {
      messages.push(
        Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'),
      );
      if (messages.length === 1 && options.send !== undefined) socket.send(options.send);
      if (options.closeAfter !== undefined && messages.length >= options.closeAfter) socket.close(1000);
    });
    socket.on('close', (code, reason) => resolve({ protocol: socket.protocol, messages, code, reason: String(reason) }));
    socket.on('unexpected-response', (_request, response) => reject(new Error(`upgrade answered ${response.statusCode}`)));
    socket.on('error', () => undefined);
  });
  return Object.assign(promise, { socket });
}

async function stats(origin: string): Promise<Record<string, number>> {
  return (await (await fetch(`${origin}/demo/stats`)).json()) as Record<string, number>;
}

describe('WebSocket tickets', () => {
  it('POST /api/ws-ticket needs a bearer like every /api route', async () => {
    const { origin } = await start();
    expect((await fetch(`${origin}/api/ws-ticket`, { method: 'POST' })).status).toBe(401);
  });

  it('a ticket opens one socket, which echoes; used again it is closed with 4401', async () => {
    const { origin, wsUrl, token } = await start();
    const value = await ticket(origin, token);

    const first = await open(wsUrl, ['sw-auth-proxy.ticket', value], { send: 'echo me', closeAfter: 2 });
    expect(first).toMatchObject({ protocol: 'sw-auth-proxy.ticket', code: 1000 });
    expect(JSON.parse(first.messages[0]!)).toEqual({ type: 'welcome', sub: 'ada', connection: 1 });
    expect(first.messages[1]).toBe('echo me');

    const again = await open(wsUrl, ['sw-auth-proxy.ticket', value]);
    expect(again).toEqual({ protocol: 'sw-auth-proxy.ticket', messages: [], code: 4401, reason: 'credential refused: ticket used' });
    expect(await stats(origin)).toMatchObject({ wsTicketsIssued: 1, wsConnections: 1, wsTicketRefusals: 1, wsMessages: 1, wsOpen: 0 });
  });

  it('a socket without a credential, or with a made-up ticket, is closed with 4401', async () => {
    const { wsUrl } = await start();
    expect(await open(wsUrl, [])).toMatchObject({ code: 4401, reason: 'credential refused: no credential' });
    expect(await open(wsUrl, ['sw-auth-proxy.ticket', 'made-up'])).toMatchObject({
      code: 4401,
      reason: 'credential refused: ticket unknown',
    });
  });

  it('an access token in the subprotocol list is accepted as well', async () => {
    const { wsUrl, token } = await start();
    const outcome = await open(wsUrl, ['sw-auth-proxy.bearer', token], { closeAfter: 1 });
    expect(outcome).toMatchObject({ protocol: 'sw-auth-proxy.bearer', code: 1000 });
  });

  it('an open socket is closed with 4401 when the token behind its ticket is invalidated', async () => {
    const { origin, wsUrl, token } = await start();
    const pending = open(wsUrl, ['sw-auth-proxy.ticket', await ticket(origin, token)]);
    await new Promise((resolve) => pending.socket.once('message', resolve));

    await fetch(`${origin}/demo/expire`, { method: 'POST' });

    expect(await pending).toMatchObject({ code: 4401, reason: 'session ended' });
    expect(await stats(origin)).toMatchObject({ wsAuthCloses: 1, wsOpen: 0 });
  });

  it('/demo/ws/down drops open sockets and answers upgrades 503 until /demo/ws/up', async () => {
    const { origin, wsUrl, token } = await start();
    const pending = open(wsUrl, ['sw-auth-proxy.ticket', await ticket(origin, token)]);
    await new Promise((resolve) => pending.socket.once('message', resolve));

    await fetch(`${origin}/demo/ws/down`, { method: 'POST' });
    expect((await pending).code).toBe(1006);
    await expect(open(wsUrl, ['sw-auth-proxy.ticket', await ticket(origin, token)])).rejects.toThrow('upgrade answered 503');

    const atUp = (await (await fetch(`${origin}/demo/ws/up`, { method: 'POST' })).json()) as Record<string, number>;
    expect(atUp).toMatchObject({ wsUpgradesRejected: 1 });
    const after = await open(wsUrl, ['sw-auth-proxy.ticket', await ticket(origin, token)], { closeAfter: 1 });
    expect(after.code).toBe(1000);
  });
});

describe('GET /api/events', () => {
  it('numbers its events, asks for a short retry, and ends when the token that opened it expires', async () => {
    const app = createDemoApp({ accessTokenTtl: 1, distDir: '/nonexistent-demo-dist' });
    const login = await app.request('/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: 'secret' }),
    });
    const { access_token } = (await login.json()) as { access_token: string };

    // `exp` is `floor(iat) + 1`: the stream lasts at most a second, and ends on its own.
    const response = await app.request('/api/events?interval=50', { headers: { Authorization: `Bearer ${access_token}` } });
    const text = await response.text();

    expect(text.startsWith('retry: 250\n\n')).toBe(true);
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual(ids.map((_, index) => index + 1));
    // And the token is no good any more, so the browser's reconnect will meet a 401.
    expect((await app.request('/api/events', { headers: { Authorization: `Bearer ${access_token}` } })).status).toBe(401);
  });
});

describe('GET /api/chat/stream', () => {
  it('holds a tagged reply after pauseAfter words until resumed, and reports its progress', async () => {
    const app = createDemoApp({ distDir: '/nonexistent-demo-dist' });
    const login = await app.request('/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: 'secret' }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const progress = async () => (await app.request('/demo/chat/t1')).json();

    const response = await app.request('/api/chat/stream?words=5&tag=t1&pauseAfter=2', {
      headers: { Authorization: `Bearer ${access_token}` },
    });
    expect(response.headers.get('Content-Type')).toBe('text/plain; charset=UTF-8');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (text.split(' ').length <= 2) text += decoder.decode((await reader.read()).value, { stream: true });

    expect(text).toBe('Hello ada, ');
    expect(await progress()).toEqual({ written: 2, total: 5, paused: true, done: false });
    expect((await app.request('/demo/chat/t1/resume', { method: 'POST' })).status).toBe(204);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
    expect(text).toBe(chatReply('ada', 5).join(' '));
    expect(await progress()).toEqual({ written: 5, total: 5, paused: false, done: true });
  });
});
