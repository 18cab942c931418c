import { describe, expect, it } from 'vitest';
import { Secret } from '../../../core/common/secret.js';
import { Redactor, StreamRedactor } from '../../../core/install/redact.js';

describe('Redactor', () => {
  it('masks every secret of the bag, longest first, and leaves other text alone', () => {
    const r = Redactor.fromBag({ password: { default: Secret.of('hunter2') }, sudoPassword: { default: Secret.of('hunter2-root') } });
    expect(r.redact('pw=hunter2-root and hunter2; ok')).toBe('pw=*** and ***; ok');
    expect(r.redact('nothing here')).toBe('nothing here');
  });

  it('treats regex characters in a secret literally', () => {
    const r = new Redactor(['a.b*c(d)']);
    expect(r.redact('xa.b*c(d)y aXbbc')).toBe('x***y aXbbc');
  });

  it('ignores empty secrets and learns new ones at run time', () => {
    const r = new Redactor(['', '  ']);
    expect(r.redact('text')).toBe('text');
    r.add('tok3n');
    expect(r.redact('join --token tok3n')).toBe('join --token ***');
  });
});

describe('StreamRedactor', () => {
  const secret = 'S3cr3t-P@ss';
  const text = `line one\nthe password is ${secret} ok\nand ${secret}${secret} twice\nend`;

  it('masks a secret split across chunks at every possible cut', () => {
    for (let cut = 1; cut < text.length; cut++) {
      const s = new StreamRedactor(new Redactor([secret]));
      const out = s.push(text.slice(0, cut)) + s.push(text.slice(cut)) + s.end();
      expect(out).toBe(text.replaceAll(secret, '***'));
    }
  });

  it('masks with one character per chunk', () => {
    const s = new StreamRedactor(new Redactor([secret]));
    let out = '';
    for (const ch of text) {
      out += s.push(ch);
      expect(out).not.toContain(secret.slice(0, 4));
    }
    out += s.end();
    expect(out).toBe(text.replaceAll(secret, '***'));
  });

  it('emits a long unterminated line early, holding back only what a secret could still need', () => {
    const s = new StreamRedactor(new Redactor([secret]));
    const emitted = s.push('x'.repeat(1000));
    expect(emitted.length).toBe(1000 - (secret.length - 1));
    expect(emitted + s.end()).toBe('x'.repeat(1000));
  });
});
