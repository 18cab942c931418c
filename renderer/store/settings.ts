// The interface language: from localStorage, else the browser's (ko* → Korean), else English.
import type { Lang } from '../../core/api/types.js';
import type { Slice } from './types.js';

export const LANG_KEY = 'cp-installer.lang';

export interface SettingsSlice {
  lang: Lang;
  setLang(lang: Lang): void;
}

export function initialLang(stored: string | null, navigatorLang: string | undefined): Lang {
  if (stored === 'ko' || stored === 'en') return stored;
  return navigatorLang?.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

function readStored(): string | null {
  try {
    return globalThis.localStorage?.getItem(LANG_KEY) ?? null;
  } catch {
    return null;
  }
}

export const createSettingsSlice: Slice<SettingsSlice> = (set) => ({
  lang: initialLang(readStored(), globalThis.navigator?.language),
  setLang(lang) {
    try {
      globalThis.localStorage?.setItem(LANG_KEY, lang);
    } catch {
      // Storage may be disabled (private windows): the switch still works for this session.
    }
    set({ lang });
  },
});
