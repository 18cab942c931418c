// The WebSocket transport of browser mode, server side: parsing what a page sends (never trusted) and the
// frames sent back. The frame types live in types.ts so the renderer's client shares them.
import { z } from 'zod';
import {
  COMMAND_NAMES,
  type ApiError,
  type ApiEvent,
  type WsClientFrame,
  type WsServerFrame,
} from './types.js';

/** Close codes in the private range (4000–4999): the client does not retry these. */
export const WS_CLOSE = {
  unauthorized: 4401,
  forbidden: 4403,
  badFrame: 4400,
} as const;

/** A page has no reason to send more than this in one frame (a plan or an imported vars file). */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

const InvokeFrame = z
  .object({
    t: z.literal('invoke'),
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    command: z.enum(COMMAND_NAMES),
    args: z.unknown(),
  })
  .strict();

export type ParsedFrame = { ok: true; frame: WsClientFrame } | { ok: false; id?: number; error: ApiError };

export function parseClientFrame(text: string): ParsedFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: { key: 'api.badFrame', message: 'The message is not JSON.' } };
  }
  const parsed = InvokeFrame.safeParse(raw);
  if (parsed.success) return { ok: true, frame: { ...parsed.data, args: parsed.data.args ?? {} } };
  const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : undefined;
  const command = (raw as { command?: unknown })?.command;
  if (typeof command === 'string' && !(COMMAND_NAMES as readonly string[]).includes(command)) {
    return {
      ok: false,
      id,
      error: { key: 'api.unknownCommand', params: { command: command.slice(0, 80) }, message: `Unknown command ${command.slice(0, 80)}` },
    };
  }
  return { ok: false, id, error: { key: 'api.badFrame', message: 'The message is not a command.' } };
}

export function resultFrame(id: number, result: unknown): WsServerFrame {
  return { t: 'result', id, ok: true, result };
}

export function errorFrame(id: number, error: ApiError): WsServerFrame {
  return { t: 'result', id, ok: false, error };
}

export function eventsFrame(events: ApiEvent[]): WsServerFrame {
  return { t: 'events', events };
}
