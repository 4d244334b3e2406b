/** A JWT's header and claims as JSON, for display only (the emulator verifies tokens; the page never does). */

function part(segment: string): unknown {
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
}

/** The decoded header and claims, or why the text is not a compact JWS. */
export function decodeJwt(token: string): { header: unknown; claims: unknown } | { error: string } {
  const segments = token.trim().split('.');
  if (segments.length !== 3) return { error: `not a compact JWT: ${segments.length} part(s), a JWT has 3` };
  try {
    return { header: part(segments[0] as string), claims: part(segments[1] as string) };
  } catch {
    return { error: 'not a JWT: its header or claims are not base64url-encoded JSON' };
  }
}
