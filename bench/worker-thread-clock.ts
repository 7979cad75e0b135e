import { readdir, readFile } from 'node:fs/promises';
import type { Browser } from '@playwright/test';

/** One service worker thread of the bench browser: `/proc/<pid>/task/<tid>`. */
interface WorkerThread {
  pid: number;
  tid: number;
}

/** Chromium names each service worker's thread "ServiceWorker thread" (15 characters kept in `comm`). */
const SERVICE_WORKER_THREAD = /^ServiceWorker/;

/**
 * Nanoseconds the thread has run on a CPU: the first field of `schedstat`. Unlike a sampling
 * profiler, which counts a busy thread as busy while the kernel has it waiting for a core, this
 * counts only the time it ran, so a loaded machine stretches the wall time but not this figure.
 */
async function runTimeNs(thread: WorkerThread): Promise<number> {
  const text = await readFile(`/proc/${thread.pid}/task/${thread.tid}/schedstat`, 'utf8');
  return Number(text.split(' ')[0]);
}

/** Every service worker thread in the bench browser's renderer processes. */
async function serviceWorkerThreads(browser: Browser): Promise<WorkerThread[]> {
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
    const threads: WorkerThread[] = [];
    for (const { id: pid } of processInfo.filter((info) => info.type === 'renderer')) {
      const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
      for (const tid of tids) {
        const name = await readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8').catch(() => '');
        if (SERVICE_WORKER_THREAD.test(name)) threads.push({ pid, tid: Number(tid) });
      }
    }
    return threads;
  } finally {
    await session.detach();
  }
}

/**
 * The on-CPU time of one service worker's thread (Linux only). The threads of several workers
 * share a name and often a process, so the thread is found by what it does: the one whose time
 * grows, by far the most, while `exercise` sends requests through that worker alone.
 */
export class WorkerThreadClock {
  readonly #thread: WorkerThread;

  private constructor(thread: WorkerThread) {
    this.#thread = thread;
  }

  static async find(browser: Browser, label: string, exercise: () => Promise<void>): Promise<WorkerThreadClock> {
    const threads = await serviceWorkerThreads(browser);
    const before = await Promise.all(threads.map(runTimeNs));
    await exercise();
    const grown = (await Promise.all(threads.map(runTimeNs))).map((after, index) => ({
      thread: threads[index]!,
      ns: after - before[index]!,
    }));
    grown.sort((a, b) => b.ns - a.ns);
    const [first, second] = grown;
    // Idle workers run next to nothing; a runner-up at half the leader's time means two workers
    // were busy, and any figure read from either thread would be mixed.
    if (first === undefined || first.ns <= 0 || (second !== undefined && second.ns * 2 > first.ns)) {
      throw new Error(`Failed to find the ${label} worker's thread: ${grown.length} service worker threads, none busy alone`);
    }
    return new WorkerThreadClock(first.thread);
  }

  /** The thread's on-CPU time so far, ns. Throws if the thread is gone (the worker was stopped). */
  async read(): Promise<number> {
    return runTimeNs(this.#thread).catch(() => {
      throw new Error(`Failed to read a worker thread's CPU time: thread ${this.#thread.tid} has ended (the worker stopped)`);
    });
  }
}
