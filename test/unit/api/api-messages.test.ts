import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiMessages } from '../../../core/api/api-messages.js';

describe('API messages', () => {
  it('has every key in both languages, with the same placeholders', () => {
    expect(Object.keys(apiMessages.ko).sort()).toEqual(Object.keys(apiMessages.en).sort());
    const names = (t: string) => [...t.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const [key, en] of Object.entries(apiMessages.en)) {
      expect(names(apiMessages.ko[key]!), key).toEqual(names(en));
      expect(apiMessages.ko[key], key).toMatch(/[\uac00-\ud7a3]/);
    }
  });

  it('covers every api.* / keychain.* key the service, transports and shells raise', () => {
    const files = ['core/api', 'cli/serve', 'electron', 'renderer/transport'].flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => /\.(c?ts)$/.test(f) && f !== 'api-messages.ts')
        .map((f) => readFileSync(join(dir, f), 'utf8')),
    );
    const used = new Set(files.flatMap((text) => [...text.matchAll(/'((?:api|keychain)\.[A-Za-z]+)'/g)].map((m) => m[1]!)));
    for (const key of used) expect(apiMessages.en, key).toHaveProperty([key]);
  });
});
