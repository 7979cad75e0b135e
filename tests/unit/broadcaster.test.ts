import { afterEach, describe, expect, it } from 'vitest';
import { Broadcaster } from '../../sw/broadcaster.js';
import { MESSAGE_SOURCE, isBroadcastMessage, type BroadcastMessage } from '../../sw/protocol.js';
import { deferred } from './helpers/deferred.js';

const open: { dispose(): void }[] = [];
afterEach(() => {
  for (const item of open.splice(0)) item.dispose();
});

/** A Broadcaster whose peer messages are collected; `next()` resolves with the next one. */
function listening(channelName: string) {
  const received: BroadcastMessage[] = [];
  let waiting = deferred<BroadcastMessage>();
  const broadcaster = new Broadcaster(channelName, (message) => {
    received.push(message);
    waiting.resolve(message);
    waiting = deferred<BroadcastMessage>();
  });
  open.push(broadcaster);
  return { broadcaster, received, next: () => waiting.promise };
}

describe('isBroadcastMessage', () => {
  it.each([
    [{ source: MESSAGE_SOURCE, type: 'logged-in', payload: { generation: 1, expiresAt: null } }, true],
    [{ source: 'other', type: 'logged-in', payload: {} }, false],
    [{ source: MESSAGE_SOURCE, type: 7, payload: {} }, false],
    [{ source: MESSAGE_SOURCE, type: 'logged-in' }, false],
    ['logged-in', false],
    [null, false],
  ])('%o → %s', (data, expected) => {
    expect(isBroadcastMessage(data)).toBe(expected);
  });
});

describe('Broadcaster', () => {
  it('announces tagged { type, payload } messages that another worker on the channel hears', async () => {
    const name = `test-${crypto.randomUUID()}`;
    const sender = listening(name);
    const peer = listening(name);

    const payload = {
      generation: 4,
      expiresAt: 123,
      refreshId: 'r1',
      trigger: { kind: 'proactive' as const, clientId: 'client-1', method: 'GET', url: 'https://api.example.com/api/me' },
      attempts: 2,
      waiters: 3,
      durationMs: 40,
    };
    const heard = peer.next();
    sender.broadcaster.announce('token-refreshed', payload);

    expect(await heard).toEqual({ source: MESSAGE_SOURCE, type: 'token-refreshed', payload });
  });

  it('passes on only its own kind of message, in order', async () => {
    const name = `test-${crypto.randomUUID()}`;
    const peer = listening(name);
    const foreign = new BroadcastChannel(name);
    open.push({ dispose: () => foreign.close() });

    const heard = peer.next();
    foreign.postMessage({ hello: 'world' });
    foreign.postMessage({ source: 'another-lib', type: 'logged-in', payload: {} });
    foreign.postMessage({ source: MESSAGE_SOURCE, type: 'logged-out', payload: { revoked: false } });

    expect(await heard).toMatchObject({ type: 'logged-out' });
    expect(peer.received).toHaveLength(1);
  });

  it('does not hear itself', async () => {
    const name = `test-${crypto.randomUUID()}`;
    const a = listening(name);
    const b = listening(name);

    const bHeard = b.next();
    a.broadcaster.announce('logged-out', { revoked: false });
    await bHeard;
    const aHeard = a.next();
    b.broadcaster.announce('logged-out', { revoked: true });
    await aHeard;

    // Messages from one sender arrive in order, so a's own announcement would have come first.
    expect(a.received.map((m) => m.payload)).toEqual([{ revoked: true }]);
  });
});
