// The one door shells use into the engine: the contract (types), the in-process service, and what a
// transport needs to carry it.
export * from './types.js';
export { createInstallerService, ApiFailure, toApiError } from './service.js';
export type { InstallerService, ServiceOptions } from './service.js';
export type { Engine, Keychain, Dialogs, SessionSecrets } from './engine.js';
export { apiMessages } from './api-messages.js';
export { parseClientFrame, resultFrame, errorFrame, eventsFrame, WS_CLOSE, MAX_FRAME_BYTES } from './ws-protocol.js';
