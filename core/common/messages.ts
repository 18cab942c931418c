// Every message core gives a person travels as a key with parameters, so each shell shows it in the
// person's language (en, ko). Catalogs are plain data: the renderer bundles the same ones.
export type Lang = 'en' | 'ko';
export const LANGS: readonly Lang[] = ['en', 'ko'];

export type Params = Record<string, string | number>;

export interface Message {
  key: string;
  params?: Params;
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

/** Renders a message; an unknown key shows itself so a missing translation is visible, not silent. */
export function render(catalogs: Catalogs, lang: Lang, m: Message): string {
  const template = catalogs[lang][m.key] ?? catalogs.en[m.key] ?? m.key;
  return interpolate(template, m.params);
}

export function mergeCatalogs(...parts: Catalogs[]): Catalogs {
  return {
    en: Object.assign({}, ...parts.map((p) => p.en)),
    ko: Object.assign({}, ...parts.map((p) => p.ko)),
  };
}
