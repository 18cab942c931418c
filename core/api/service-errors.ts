// Failures with a message key, and how any thrown value crosses a transport (as an ApiError).
import type { Message } from '../common/messages.js';
import type { ApiError } from './types.js';

/** A failure with a message key; crosses every transport as an ApiError. */
export class ApiFailure extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, string | number> = {},
    message = key,
    /** Placeholders filled by another message in the reader's language (core/common/messages.ts). */
    readonly nested?: Record<string, Message>,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** Any thrown value as an ApiError. Errors that carry a message key (ApiFailure, SshError) keep it. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof Error) {
    const keyed = e as Error & { key?: unknown; params?: unknown; nested?: unknown; host?: unknown; details?: { fingerprint?: string } };
    if (typeof keyed.key === 'string') {
      const params: Record<string, string | number> = {};
      if (keyed.params && typeof keyed.params === 'object') {
        for (const [k, v] of Object.entries(keyed.params)) {
          if (typeof v === 'string' || typeof v === 'number') params[k] = v;
        }
      }
      if (typeof keyed.host === 'string' && params.host === undefined) params.host = keyed.host;
      if (keyed.details?.fingerprint && params.fingerprint === undefined) params.fingerprint = keyed.details.fingerprint;
      // Catalog texts quote what went wrong as {{detail}}; without it the placeholder would show.
      if (params.detail === undefined) {
        const prefix = typeof keyed.host === 'string' ? `${keyed.host}: ` : '';
        params.detail = prefix && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
      }
      const nested = nestedOf(keyed.nested);
      return { key: keyed.key, params, message: e.message, ...(nested ? { nested } : {}) };
    }
    return { key: 'api.internal', params: { detail: e.message }, message: e.message };
  }
  return { key: 'api.internal', params: { detail: String(e) }, message: String(e) };
}

/** Nested messages that survive a transport: plain {key, params} objects only. */
function nestedOf(value: unknown): Record<string, Message> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const out: Record<string, Message> = {};
  for (const [name, m] of Object.entries(value)) {
    if (m && typeof m === 'object' && typeof (m as Message).key === 'string') {
      const params = (m as Message).params;
      out[name] = { key: (m as Message).key, ...(params && typeof params === 'object' ? { params } : {}) };
    }
  }
  return Object.keys(out).length ? out : undefined;
}
