import { describe, expect, it } from 'vitest';
import { Secret } from '../../../core/common/secret.js';
import { Redactor } from '../../../core/install/redact.js';

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
