/** RFC 4648 §5 base64url without padding, as JOSE (RFC 7515 §2) and random ids use it. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `byteLength` random bytes, base64url: ids no one can guess (18 bytes: 144 bits). */
export function randomId(byteLength = 18): string {
  return base64url(crypto.getRandomValues(new Uint8Array(byteLength)));
}
