// Who may talk to browser mode: only a page that came with the token printed on the terminal. Pure
// functions, so each rule is tested on its own.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const COOKIE_NAME = 'cpi_token';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sameToken(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export type AuthVerdict =
  /** Good cookie. */
  | { ok: true; via: 'cookie' }
  /** Good token in the URL: set the cookie (and drop the token from the address bar). */
  | { ok: true; via: 'query' }
  /** Nothing presented. */
  | { ok: false; status: 401 }
  /** A token or cookie that is wrong, or a request that is not for us (Host). */
  | { ok: false; status: 403 };

export function authorize(
  token: string,
  req: { url: string; cookie?: string | undefined; host?: string | undefined },
  allowedHosts: readonly string[],
): AuthVerdict {
  // A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) sends its own Host.
  if (!req.host || !allowedHosts.includes(req.host.toLowerCase())) return { ok: false, status: 403 };
  const query = new URL(req.url, 'http://x').searchParams.get('token');
  const cookie = cookieValue(req.cookie, COOKIE_NAME);
  if (query !== null) return sameToken(token, query) ? { ok: true, via: 'query' } : { ok: false, status: 403 };
  if (cookie !== undefined) return sameToken(token, cookie) ? { ok: true, via: 'cookie' } : { ok: false, status: 403 };
  return { ok: false, status: 401 };
}

/** Origins a WebSocket may come from: the page this server served, under either loopback name. */
export function allowedOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function originAllowed(origin: string | undefined, port: number): boolean {
  return origin !== undefined && allowedOrigins(port).includes(origin.toLowerCase());
}

export function tokenCookie(token: string): string {
  return `${COOKIE_NAME}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/**
 * The page's Content-Security-Policy: scripts only from this server, connections only back to it.
 * Styles allow inline because xterm.js's DOM renderer writes its colours into <style> elements; scripts,
 * the part an injection would need, stay strict.
 */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}
