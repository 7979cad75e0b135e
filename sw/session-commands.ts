import type { RequestMap, RequestType } from './protocol.js';
import type { Session } from './session.js';

/** Who sent a command: a tab (the worker's `Client`, or the page engine's own tab). */
export interface CommandSender {
  readonly id: string;
}

/**
 * One handler per page → engine command. `keepAlive` extends the context's lifetime for work that
 * goes on after the answer (a refresh started by `visible`), so a worker is not stopped halfway.
 */
export type SessionCommands = {
  [K in Exclude<RequestType, 'hello'>]: (
    payload: RequestMap[K]['request'],
    sender: CommandSender,
    keepAlive: (promise: Promise<unknown>) => void,
  ) => Promise<RequestMap[K]['response']>;
};

/**
 * What the session answers to each command, the same in a service worker and in the page engine:
 * only the handshake (`hello`) differs between them, since only a worker claims pages.
 */
export function sessionCommands(session: Session): SessionCommands {
  return {
    status: () => session.status(),
    logout: async ({ revoke }) => ({ revoked: await session.logout(revoke === true) }),
    'set-debug': async ({ enabled }) => ({ enabled: await session.setDebug(enabled === true) }),
    visible: (_payload, sender, keepAlive) => session.visible(sender.id, keepAlive),
    'dpop-thumbprint': async () => ({ thumbprint: (await session.loginKey())?.thumbprint ?? null }),
  };
}
