/** The demo server's token endpoint (refresh and code exchange), below the app's origin. */
export const TOKEN_ENDPOINT_PATH = '/auth/token';
