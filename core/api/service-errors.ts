// Failures with a message key, and how any thrown value crosses a transport (as an ApiError).
import type { ApiError } from './types.js';

/** A failure with a message key; crosses every transport as an ApiError. */
export class ApiFailure extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, string | number> = {},
    message = key,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** Any thrown value as an ApiError. Errors that carry a message key (ApiFailure, SshError) keep it. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof Error) {
    const keyed = e as Error & { key?: unknown; params?: unknown; host?: unknown; details?: { fingerprint?: string } };
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
      return { key: keyed.key, params, message: e.message };
    }
    return { key: 'api.internal', params: { detail: e.message }, message: e.message };
  }
  return { key: 'api.internal', params: { detail: String(e) }, message: String(e) };
}

