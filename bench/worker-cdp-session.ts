import type { Browser, CDPSession } from '@playwright/test';

/**
 * A DevTools session on a service worker. Playwright opens CDP sessions on pages only, so this
 * attaches through the browser session's Target domain and tunnels commands with
 * `Target.sendMessageToTarget` (non-flat mode, the one a browser-level CDPSession can carry).
 */
export class WorkerCdpSession {
  readonly #browserSession: CDPSession;
  readonly #sessionId: string;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  private constructor(browserSession: CDPSession, sessionId: string) {
    this.#browserSession = browserSession;
    this.#sessionId = sessionId;
    browserSession.on('Target.receivedMessageFromTarget', ({ sessionId: from, message }) => {
      if (from !== this.#sessionId) return;
      const reply = JSON.parse(message) as { id?: number; result?: unknown; error?: { message: string } };
      const pending = reply.id === undefined ? undefined : this.#pending.get(reply.id);
      if (pending === undefined) return;
      this.#pending.delete(reply.id!);
      if (reply.error) pending.reject(new Error(`Failed to run a worker CDP command: ${reply.error.message}`));
      else pending.resolve(reply.result);
    });
  }

  /** Attaches to the running service worker whose script URL ends with `scriptPath`. */
  static async attach(browser: Browser, scriptPath: string): Promise<WorkerCdpSession> {
    const browserSession = await browser.newBrowserCDPSession();
    const { targetInfos } = await browserSession.send('Target.getTargets');
    const target = targetInfos.find((info) => info.type === 'service_worker' && info.url.endsWith(scriptPath));
    if (target === undefined) {
      await browserSession.detach();
      throw new Error(`Failed to attach to the service worker: no running worker at ${scriptPath}`);
    }
    const { sessionId } = await browserSession.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    return new WorkerCdpSession(browserSession, sessionId);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#browserSession
        .send('Target.sendMessageToTarget', { sessionId: this.#sessionId, message: JSON.stringify({ id, method, params }) })
        .catch((error: Error) => {
          this.#pending.delete(id);
          reject(error);
        });
    });
  }

  async dispose(): Promise<void> {
    await this.#browserSession.send('Target.detachFromTarget', { sessionId: this.#sessionId }).catch(() => undefined);
    await this.#browserSession.detach().catch(() => undefined);
  }
}
