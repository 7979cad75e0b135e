/** Replaced at build time (Vite `define`) with the package version. */
declare const __SW_AUTH_PROXY_VERSION__: string;

/** The package version, compared in the page/worker handshake. */
export const VERSION: string = __SW_AUTH_PROXY_VERSION__;
