// Passwords, passphrases and sudo passwords typed in the Credentials screen. Memory only: this slice is
// never persisted; the engine gets them through secrets.set and keeps them as Secret values.
import type { SecretsInput } from '../../core/api/types.js';
import { call } from '../api.js';
import type { Slice } from './types.js';

export type SecretKind = 'password' | 'passphrase' | 'sudoPassword';

export interface SecretsSlice {
  secrets: Record<SecretKind, Record<string, string>>;
  rememberSecrets: boolean;
  secretsDirty: boolean;
  /** A caas plan's BOSH/CF/UAA secrets by kind (core/plan/secrets.ts SERVICE_SECRETS): never in the plan. */
  serviceSecrets: Record<string, string>;
  setSecret(kind: SecretKind, profile: string, value: string): void;
  setServiceSecret(kind: string, value: string): void;
  setRemember(on: boolean): void;
  /** Hands the typed secrets to the engine (before any connection test, preflight or run). */
  pushSecrets(): Promise<void>;
}

export const createSecretsSlice: Slice<SecretsSlice> = (set, get) => ({
  secrets: { password: {}, passphrase: {}, sudoPassword: {} },
  rememberSecrets: false,
  secretsDirty: false,
  serviceSecrets: {},
  setServiceSecret(kind, value) {
    set({ serviceSecrets: { ...get().serviceSecrets, [kind]: value }, secretsDirty: true });
  },
  setSecret(kind, profile, value) {
    const s = get().secrets;
    set({ secrets: { ...s, [kind]: { ...s[kind], [profile]: value } }, secretsDirty: true });
  },
  setRemember(on) {
    set({ rememberSecrets: on, secretsDirty: true });
  },
  async pushSecrets() {
    if (!get().secretsDirty) return;
    const { password, passphrase, sudoPassword } = get().secrets;
    const nonEmpty = (r: Record<string, string>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== ''));
    const args: SecretsInput = {
      password: nonEmpty(password),
      passphrase: nonEmpty(passphrase),
      sudoPassword: nonEmpty(sudoPassword),
    };
    // Service secrets go as typed, empty too: an emptied field forgets the engine's copy.
    if (Object.keys(get().serviceSecrets).length) args.service = { ...get().serviceSecrets };
    if (get().rememberSecrets) args.remember = true;
    try {
      const { remembered } = await call('secrets.set', args);
      set({ secretsDirty: false });
      if (get().rememberSecrets && !remembered) get().notify({ key: 'ui.creds.notRemembered' }, 'info');
    } catch (e) {
      get().fail(e);
    }
  },
});
