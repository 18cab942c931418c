import { describe, expect, it } from 'vitest';
import { scanSecrets, secretKind } from '../../../core/plan/secrets.js';

describe('scanSecrets', () => {
  it('names the path of secret keys', () => {
    const issues = scanSecrets({
      auth: [
        { name: 'a', method: 'password', password: 'pw' },
        { name: 'b', sudoPassword: 'x', privateKey: 'k' },
      ],
      bosh: { client_secret: 's' },
      registry: { token: 't' },
    });
    expect(issues.map((i) => i.path)).toEqual([
      'auth[0].password',
      'auth[1].sudoPassword',
      'auth[1].privateKey',
      'bosh.client_secret',
      'registry.token',
    ]);
    expect(issues.every((i) => i.key === 'plan.secret.key' && i.severity === 'error')).toBe(true);
    expect(JSON.stringify(issues)).not.toMatch(/"pw"|"x"|"k"|"s"|"t"/);
  });

  it('leaves flags and references alone', () => {
    expect(
      scanSecrets({
        auth: [{ name: 'a', method: 'key', keyPath: '~/.ssh/id_rsa', passphrase: true, sudo: 'password' }],
        token: '',
      }),
    ).toEqual([]);
  });

  it('finds secret-looking values under any key', () => {
    const issues = scanSecrets({
      hosts: [{ labels: { a: '-----BEGIN RSA PRIVATE KEY-----\nMIIE', b: 'Bearer abcdefghijkl' } }],
    });
    expect(issues.map((i) => [i.path, i.key, i.params?.kind])).toEqual([
      ['hosts[0].labels.a', 'plan.secret.value', 'private key'],
      ['hosts[0].labels.b', 'plan.secret.value', 'bearer token'],
    ]);
  });

  it('recognises kinds of secret values', () => {
    expect(secretKind('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc')).toBe('JWT');
    expect(secretKind('https://admin:pw@registry.example.com')).toBe('password in URL');
    expect(secretKind('ghp_0123456789abcdef')).toBe('access token');
    expect(secretKind('https://registry.example.com')).toBeUndefined();
    expect(secretKind('10.0.0.1')).toBeUndefined();
  });
});
