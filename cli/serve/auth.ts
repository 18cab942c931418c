// Who may talk to browser mode: only the page opened from the address printed on the terminal. Pure rules
// plus one small store of credentials, each tested on its own.
//
// No cookie: cookies are not scoped by port, so one set for 127.0.0.1 would reach every other local server
// the browser visits. Instead the printed address carries a one-time ticket in its fragment (never sent in
// a request, never in a Referer); the page moves it to its own sessionStorage (per origin, port included,
// and per tab), removes it from the address bar, and presents it on the WebSocket handshake as a
// subprotocol. The first handshake with the ticket uses it up and is answered with a session key only that
// tab keeps (a reload presents the key; a second use of the printed address is refused).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  WS_CLOSE_NO_CREDENTIAL,
  WS_CLOSE_REFUSED,
  WS_CREDENTIAL_PREFIX,
  WS_SUBPROTOCOL,
} from '../../core/api/index.js';

/** The subprotocol the page and the server speak; the credential travels as a second one. */
export const WS_PROTOCOL = WS_SUBPROTOCOL;
export const CREDENTIAL_PREFIX = WS_CREDENTIAL_PREFIX;

/** WebSocket close codes after the upgrade: the page stops retrying on these. */
export const CLOSE_NO_CREDENTIAL = WS_CLOSE_NO_CREDENTIAL;
export const CLOSE_REFUSED = WS_CLOSE_REFUSED;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sameToken(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The subprotocols a client offered, and the credential among them. */
export function offeredProtocols(header: string | undefined): { protocols: string[]; credential?: string } {
  const protocols = (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const cred = protocols.find((p) => p.startsWith(CREDENTIAL_PREFIX));
  return cred ? { protocols, credential: cred.slice(CREDENTIAL_PREFIX.length) } : { protocols };
}

export type Presented =
  /** A ticket used now: the page gets this session key to keep. */
  | { ok: true; fresh: true; key: string }
  /** A session key the page kept (reload, reconnect). */
  | { ok: true; fresh: false; key: string }
  | { ok: false };

/**
 * The server's credentials: at most one unused ticket (the printed address) and the session keys it was
 * traded for. A new ticket replaces an unused one, so only the newest printed address works.
 */
export class Credentials {
  private ticket: string | undefined;
  private readonly keys: string[] = [];

  constructor(ticket: string = newToken()) {
    this.ticket = ticket;
  }

  /** A new one-time ticket (the address to print). */
  issue(): string {
    this.ticket = newToken();
    return this.ticket;
  }

  present(value: string | undefined): Presented {
    if (!value) return { ok: false };
    for (const key of this.keys) if (sameToken(key, value)) return { ok: true, fresh: false, key };
    if (this.ticket !== undefined && sameToken(this.ticket, value)) {
      this.ticket = undefined;
      const key = newToken();
      this.keys.push(key);
      return { ok: true, fresh: true, key };
    }
    return { ok: false };
  }
}

/** Origins a WebSocket may come from: the page this server served, under either loopback name. */
export function allowedOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** Exactly one of our two names with our port: a page of another site that resolves its own name to
 * 127.0.0.1 (DNS rebinding) sends its own Host. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

export function originAllowed(origin: string | undefined, port: number): boolean {
  return origin !== undefined && allowedOrigins(port).includes(origin.toLowerCase());
}

/** A WebSocket handshake: Host ours, Origin ours, and both naming the same server (no mixing of names). */
export function handshakeAllowed(headers: { host?: string | undefined; origin?: string | undefined }, port: number): boolean {
  return (
    hostAllowed(headers.host, port) &&
    originAllowed(headers.origin, port) &&
    headers.origin!.toLowerCase() === `http://${headers.host!.toLowerCase()}`
  );
}

/** The address to print: the ticket in the fragment, which the browser never sends to any server. */
export function loginUrl(port: number, ticket: string): string {
  return `http://127.0.0.1:${port}/#token=${ticket}`;
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
