// Both languages have every string, and every literal `ui.` key the screens use exists.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../../renderer/i18n/en.js';
import { ko } from '../../../renderer/i18n/ko.js';
import { createI18n } from '../../../renderer/i18n/index.js';

const RENDERER = join(import.meta.dirname, '..', '..', '..', 'renderer');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? (d.name === 'dev' || d.name === 'i18n' ? [] : sources(join(dir, d.name))) : /\.tsx?$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

describe('catalogs', () => {
  it('English and Korean have the same keys and the same placeholders', () => {
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
    const ph = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(en)) expect([k, ph(ko[k]!)]).toEqual([k, ph(en[k]!)]);
  });
  it('every literal ui.* key in the screens is translated', () => {
    const used = new Set<string>();
    for (const f of sources(RENDERER)) for (const m of readFileSync(f, 'utf8').matchAll(/['"](ui\.[\w.-]+)['"]/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
  });
  it('renders core messages with parameters in both languages', () => {
    const i18n = createI18n('ko');
    expect(i18n.t('ui.hosts.pasteCount', { count: 3 })).toBe('호스트 3대를 인식했습니다.');
    void i18n.changeLanguage('en');
    expect(i18n.t('install.unknown-host', { host: 'm1' })).toBe('The plan has no host named m1.');
    expect(i18n.t('no.such.key', { defaultValue: 'no.such.key' })).toBe('no.such.key');
  });
});

describe('core catalogs in the renderer', () => {
  it('bundle every core module’s messages in both languages, without Node imports', async () => {
    const { coreMessages } = await import('../../../core/api/messages.js');
    for (const key of ['install.unknown-host', 'api.notAvailable']) {
      expect(coreMessages.en[key]).toBeTruthy();
      expect(coreMessages.ko[key]).toBeTruthy();
    }
    expect(Object.keys(coreMessages.ko).length).toBeGreaterThan(50);
    const files = ['core/api/messages.ts', 'core/plan/messages.ts', 'core/ssh/messages.ts', 'core/ssh/types.ts', 'core/preflight/messages.ts', 'core/install/messages.ts', 'core/tools/kubeedge/messages.ts', 'core/api/api-messages.ts', 'core/common/messages.ts'];
    for (const f of files) {
      const text = readFileSync(join(RENDERER, '..', f), 'utf8');
      expect([f, /from '(node:|fs|path|os|child_process|ssh2)/.test(text)]).toEqual([f, false]);
    }
  });
});
