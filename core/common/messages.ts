// Every message core gives a person travels as a key with parameters, so each shell shows it in the
// person's language (en, ko). Catalogs are plain data: the renderer bundles the same ones.
export type Lang = 'en' | 'ko';
export const LANGS: readonly Lang[] = ['en', 'ko'];

export type Params = Record<string, string | number>;

export interface Message {
  key: string;
  params?: Params;
  /**
   * Placeholders filled with another message rendered in the same language (a failed check inside "the
   * run stopped at preflight"), so a cause is never flattened into a raw key on its way up.
   */
  nested?: Record<string, Message>;
}

/** key → template with {{name}} placeholders. */
export type Catalog = Record<string, string>;
export type Catalogs = Record<Lang, Catalog>;

export function msg(key: string, params?: Params): Message {
  return params ? { key, params } : { key };
}

export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/**
 * The one message renderer every shell uses (CLI, API errors, report): the text in `lang` (English when the
 * key has no text there), params filled, nested messages rendered in the same language. An unknown key
 * shows itself, so a missing translation is visible, not silent (test/unit/api/message-catalogs.test.ts
 * fails the build on one).
 */
export function render(catalogs: Catalogs, lang: Lang, m: Message, depth = 0): string {
  const template = catalogs[lang][m.key] ?? catalogs.en[m.key] ?? m.key;
  const params: Params = { ...m.params };
  if (m.nested && depth < 4) {
    for (const [name, inner] of Object.entries(m.nested)) params[name] = render(catalogs, lang, inner, depth + 1);
  }
  return interpolate(template, params);
}

/** Placeholders of a template, e.g. `['host', 'detail']`. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((x) => x[1] as string);
}

/**
 * The one language detector: Korean when the first of LC_ALL, LC_MESSAGES, LANG that is set starts with
 * `ko` (POSIX order: LC_ALL overrides the others); with none set, the system locale (Intl). Else English.
 */
export function detectLang(env: Record<string, string | undefined> = globalThis.process?.env ?? {}, fallbackLocale?: string): Lang {
  const value = env.LC_ALL || env.LC_MESSAGES || env.LANG || fallbackLocale || systemLocale();
  return value.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

function systemLocale(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().locale;
  } catch {
    return '';
  }
}

export function mergeCatalogs(...parts: Catalogs[]): Catalogs {
  return {
    en: Object.assign({}, ...parts.map((p) => p.en)),
    ko: Object.assign({}, ...parts.map((p) => p.ko)),
  };
}
