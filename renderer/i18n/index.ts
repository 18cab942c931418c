// i18next with the renderer's own strings and core's catalogs (messages from core arrive as {key, params}).
// Keys are flat and contain dots, so key and namespace separators are off.
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import type { Lang, Message } from '../../core/api/types.js';
import { coreMessages } from '../../core/api/messages.js';
import { en } from './en.js';
import { ko } from './ko.js';

export const resources = {
  en: { translation: { ...coreMessages.en, ...en } },
  ko: { translation: { ...coreMessages.ko, ...ko } },
};

export function createI18n(lang: Lang): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources,
    lng: lang,
    fallbackLng: 'en',
    keySeparator: false,
    nsSeparator: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  return instance;
}

/** Translates a core or UI message; an unknown key shows itself, so a gap is visible. */
export function useMsg(): (m: Message | string, params?: Record<string, string | number>) => string {
  const { t } = useTranslation();
  return (m, params) => {
    const key = typeof m === 'string' ? m : m.key;
    const p: Record<string, string | number> = typeof m === 'string' ? { ...params } : { ...m.params, ...params };
    // A nested message (a failed check inside "preflight failed") is rendered in the same language, as the
    // core renderer does (core/common/messages.ts render), never shown as a raw key.
    if (typeof m !== 'string') for (const [name, inner] of Object.entries(m.nested ?? {})) p[name] = t(inner.key, { ...inner.params, defaultValue: inner.key });
    return t(key, { ...p, defaultValue: key });
  };
}
