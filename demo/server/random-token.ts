import { randomBytes } from 'node:crypto';

/**
 * An opaque credential: 32 bytes from the CSPRNG, base64url (43 characters), so it is safe in a
 * form body, a cookie and a redirect URL without further encoding.
 */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
