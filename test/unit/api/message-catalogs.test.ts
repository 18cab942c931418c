// A lint over every message a person can see (security #11, issue 17): each key the code uses has text in
// English and Korean, both languages of a key fill the same placeholders, and where the code gives the
// params as a literal, every {{placeholder}} of the text is among them (or a nested message), so no
// rendered text ever shows a raw key or an unfilled {{…}}. Core's catalogs and the renderer's are checked.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { coreMessages } from '../../../core/api/messages.js';
import { placeholders, render, type Catalog } from '../../../core/common/messages.js';
import { en as uiEn } from '../../../renderer/i18n/en.js';
import { ko as uiKo } from '../../../renderer/i18n/ko.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const catalogs: Record<'en' | 'ko', Catalog> = { en: { ...coreMessages.en, ...uiEn }, ko: { ...coreMessages.ko, ...uiKo } };

/** i18next plural forms (`key_one`, `key_other`) stand for `key`. */
const PLURAL = /_(zero|one|two|few|many|other)$/;
function textOf(lang: 'en' | 'ko', key: string): string | undefined {
  const c = catalogs[lang];
  return c[key] ?? c[`${key}_other`] ?? c[`${key}_one`];
}
const namespaces = new Set([...Object.keys(catalogs.en), ...Object.keys(catalogs.ko)].map((k) => k.split('.')[0]));
const KEY_SHAPE = /^[a-z][A-Za-z0-9-]*(\.[A-Za-z0-9_-]+)+$/;
const isKey = (s: string) => KEY_SHAPE.test(s) && namespaces.has(s.split('.')[0]) && !/\.(ya?ml|json|sh|ts|tsx|js|log|tar|gz|html|pub|conf|cfg)$/.test(s);

/** Functions whose first string-literal argument is a message key; the object literal after it, its params. */
const KEY_CALLS = new Set(['msg', 'm', 't', 'error', 'warning', 'issue', 'lineIssue', 'issueAt', 'ApiFailure', 'PlanError', 'InputFileError']);

interface Use {
  key: string;
  where: string;
  /** Param names when the code gives them as a plain literal; undefined when unknown (spread, variable). */
  params?: Set<string>;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dev') continue;
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.tsx?$/.test(name) && !/\.d\.ts$/.test(name)) out.push(path);
  }
  return out;
}

function literalNames(node: ts.Node | undefined): Set<string> | undefined {
  if (!node || !ts.isObjectLiteralExpression(node)) return undefined;
  const names = new Set<string>();
  for (const p of node.properties) {
    if (ts.isSpreadAssignment(p)) return undefined;
    const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
    if (!name) return undefined;
    names.add(name);
  }
  return names;
}

function usesIn(file: string): Use[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: Use[] = [];
  const where = (n: ts.Node) => `${relative(root, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      const args = node.arguments ?? ts.factory.createNodeArray();
      if (KEY_CALLS.has(name)) {
        const i = args.findIndex((a) => ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a));
        const arg = args[i] as ts.StringLiteral | undefined;
        if (arg && isKey(arg.text)) {
          const rest = args[i + 1];
          out.push({ key: arg.text, where: where(arg), params: rest === undefined ? new Set() : literalNames(rest) });
        }
      }
    }
    if (ts.isObjectLiteralExpression(node)) {
      let key: string | undefined;
      let params: Set<string> | undefined = new Set();
      let nested = new Set<string>();
      let known = true;
      for (const p of node.properties) {
        if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name)) {
          known = false;
          continue;
        }
        if (p.name.text === 'key' && ts.isStringLiteral(p.initializer)) key = p.initializer.text;
        if (p.name.text === 'params') params = literalNames(p.initializer);
        if (p.name.text === 'nested') nested = literalNames(p.initializer) ?? new Set(['*']);
      }
      if (key && isKey(key)) out.push({ key, where: where(node), params: known && params && !nested.has('*') ? new Set([...params, ...nested]) : undefined });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const files = ['core', 'cli', 'electron', 'renderer'].flatMap((d) => sourceFiles(join(root, d)));
const uses = files.flatMap(usesIn);

describe('message catalogs (security #11, issue 17)', () => {
  it('finds the message keys the code uses (the lint itself works)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(uses.length).toBeGreaterThan(300);
    expect(uses.map((u) => u.key)).toEqual(expect.arrayContaining(['install.preflight-failed', 'plan.vars.tooMany', 'api.planInvalid']));
  });

  it('security #11: every key used in code has text in English and in Korean', () => {
    const missing = uses.flatMap((u) => (['en', 'ko'] as const).filter((l) => textOf(l, u.key) === undefined).map((l) => `${u.where}: ${u.key} has no ${l} text`));
    expect([...new Set(missing)]).toEqual([]);
  });

  it('security #11: every key of every catalog has both languages, with the same placeholders', () => {
    const problems: string[] = [];
    const base = (c: Catalog) => new Set(Object.keys(c).map((k) => k.replace(PLURAL, '')));
    for (const [name, pair] of [
      ['core', coreMessages],
      ['renderer', { en: uiEn, ko: uiKo }],
    ] as const) {
      const enKeys = base(pair.en);
      const koKeys = base(pair.ko);
      for (const k of enKeys) if (!koKeys.has(k)) problems.push(`${name}: ${k} has no Korean text`);
      for (const k of koKeys) if (!enKeys.has(k)) problems.push(`${name}: ${k} has no English text`);
      for (const k of enKeys) {
        const en = textOf('en', k);
        const ko = textOf('ko', k);
        if (en === undefined || ko === undefined) continue;
        if (en.trim() === '' || ko.trim() === '') problems.push(`${name}: ${k} is empty`);
        const a = new Set(placeholders(en).filter((p) => p !== 'count'));
        const b = new Set(placeholders(ko).filter((p) => p !== 'count'));
        const diff = [...a].filter((p) => !b.has(p)).concat([...b].filter((p) => !a.has(p)));
        if (diff.length) problems.push(`${name}: ${k} fills {{${diff.join('}}, {{')}}} in one language only`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('security #11: where the code gives params as a literal, every {{placeholder}} of the text is filled', () => {
    const unfilled: string[] = [];
    for (const u of uses) {
      if (!u.params) continue;
      for (const lang of ['en', 'ko'] as const) {
        const text = textOf(lang, u.key);
        if (text === undefined) continue;
        const open = placeholders(text).filter((p) => !u.params!.has(p) && p !== 'count');
        if (open.length) unfilled.push(`${u.where}: ${u.key} (${lang}) leaves {{${open.join('}}, {{')}}} unfilled`);
      }
    }
    expect([...new Set(unfilled)]).toEqual([]);
  });

  it('security #11: the one renderer fills nested messages in the same language and never leaves a raw key', () => {
    const m = { key: 'install.preflight-failed', params: { check: 'os', host: 'node1' }, nested: { detail: { key: 'preflight.os.fail', params: { os: 'Debian 12', key: 'debian-12', release: 'k-paas-v1.6.2', supported: 'ubuntu-22.04' } } } };
    for (const lang of ['en', 'ko'] as const) {
      const text = render(coreMessages, lang, m);
      expect(text).not.toMatch(/preflight\.os\.fail|\{\{/);
      expect(text).toContain('node1');
    }
  });
});

describe('one language detector (issue 11)', () => {
  it('reads LC_ALL, then LC_MESSAGES, then LANG; the first set wins; the system locale when none is', async () => {
    const { detectLang } = await import('../../../core/common/messages.js');
    const { langFromEnv } = await import('../../../core/api/plan.js');
    const cases: Array<[Record<string, string>, 'en' | 'ko']> = [
      [{ LC_ALL: 'ko_KR.UTF-8' }, 'ko'],
      [{ LC_ALL: 'C.UTF-8', LANG: 'ko_KR.UTF-8' }, 'en'],
      [{ LC_MESSAGES: 'ko_KR.UTF-8', LANG: 'en_US.UTF-8' }, 'ko'],
      [{ LANG: 'ko_KR.UTF-8' }, 'ko'],
      [{ LANG: 'en_US.UTF-8' }, 'en'],
    ];
    for (const [env, lang] of cases) {
      expect(detectLang(env), JSON.stringify(env)).toBe(lang);
      expect(langFromEnv(env)).toBe(lang);
    }
    expect(detectLang({}, 'ko-KR')).toBe('ko');
    expect(detectLang({}, 'en-GB')).toBe('en');
  });
});
