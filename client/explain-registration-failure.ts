/** What `explainRegistrationFailure` knows of the registration that failed. */
export interface FailedRegistration {
  /** The worker script's URL, absolute. */
  scriptUrl: string;
  /** The type it was registered with. */
  type: WorkerType;
}

const JAVASCRIPT = /^(?:text|application)\/(?:x-)?(?:javascript|ecmascript)\s*(?:;|$)/i;
// A top-level import or export: the script is an ES module.
const MODULE_SYNTAX = /^\s*(?:import\s*[\w{*'"]|export\s)/m;

/**
 * Why a service worker registration failed, in words that say what to fix. Each engine words the
 * failure its own way and often names only a symptom (Chromium: "script evaluation failed"), so the
 * script is fetched once more and its answer read: a 404 or an HTML page is a wrong path or a dev
 * server without the worker; JavaScript that did not start is a module registered as classic, or
 * a script that threw (a `ConfigError` names the option to fix in the worker's console).
 *
 * @returns one sentence without a final period, to follow "Failed to register the auth proxy: ".
 */
export async function explainRegistrationFailure(
  error: unknown,
  registration: FailedRegistration,
  fetchScript: (url: string) => Promise<Response> = (url) => fetch(url, { cache: 'no-store', credentials: 'same-origin' }),
): Promise<string> {
  const { scriptUrl, type } = registration;
  const said = (error instanceof Error ? error.message : String(error)).replace(/\.+\s*$/, '');
  if (error instanceof Error && /scope/i.test(said) && /max scope|not under|Service-Worker-Allowed/i.test(said)) {
    return (
      `the scope is outside the directory of ${scriptUrl} (${said}): serve the worker script from the scope's path ` +
      'or above it, or send a Service-Worker-Allowed header with the script'
    );
  }
  let response: Response;
  try {
    response = await fetchScript(scriptUrl);
  } catch {
    return `${scriptUrl} could not be fetched (${said})`;
  }
  const contentType = response.headers.get('content-type') ?? '';
  if (!response.ok || !JAVASCRIPT.test(contentType)) {
    void response.body?.cancel().catch(() => undefined);
    if (!response.ok) {
      return `${scriptUrl} answered ${response.status}: check the path the page registers, and that the server serves the worker script there`;
    }
    return (
      `${scriptUrl} is served as ${contentType === '' ? 'no Content-Type' : `'${contentType.split(';')[0]}'`}, not JavaScript: ` +
      'the path is wrong, or a dev server does not serve the worker ' +
      "(vite-plugin-pwa: devOptions: { enabled: true, type: 'module' }, and register /dev-sw.js?dev-sw, type: 'module')"
    );
  }
  const source = await response.text().catch(() => '');
  if (type === 'classic' && MODULE_SYNTAX.test(source)) {
    return `${scriptUrl} is an ES module, registered as a classic script: pass type: 'module' to registerAuthProxy (${said})`;
  }
  return `${scriptUrl} did not start (${said}): it threw while it ran; a ConfigError names the option to fix in the worker's console`;
}
