import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CIPHERS, HOST_KEYS, KEX, MACS, algorithmsFor } from '../../../core/ssh/algorithms.js';

const require = createRequire(import.meta.url);
const supported = require('ssh2/lib/protocol/constants.js') as Record<string, string[]>;

describe('algorithm lists', () => {
  it('offer no CBC, 3DES, arcfour, blowfish or cast ciphers', () => {
    for (const c of CIPHERS) expect(c).not.toMatch(/cbc|3des|arcfour|blowfish|cast/);
  });

  it('offer no SHA-1, MD5, RIPEMD or truncated MACs', () => {
    for (const m of MACS) expect(m).not.toMatch(/sha1|md5|ripemd|-96/);
  });

  it('offer no SHA-1 key exchange and no SHA-1 host-key signatures', () => {
    for (const k of KEX) expect(k).not.toMatch(/sha1/);
    expect(HOST_KEYS).not.toContain('ssh-rsa');
    expect(HOST_KEYS).not.toContain('ssh-dss');
  });

  it('only name algorithms this ssh2 build supports', () => {
    for (const k of KEX) expect(supported.SUPPORTED_KEX).toContain(k);
    for (const c of CIPHERS) expect(supported.SUPPORTED_CIPHER).toContain(c);
    for (const m of MACS) expect(supported.SUPPORTED_MAC).toContain(m);
    for (const h of HOST_KEYS) expect(supported.SUPPORTED_SERVER_HOST_KEY).toContain(h);
  });

  it('put host-key algorithms known for the host first; RSA keys use SHA-2 signatures', () => {
    expect(algorithmsFor(['ecdsa-sha2-nistp256']).serverHostKey).toEqual(['ecdsa-sha2-nistp256', ...HOST_KEYS.filter((h) => h !== 'ecdsa-sha2-nistp256')]);
    const rsa = algorithmsFor(['ssh-rsa']).serverHostKey as string[];
    expect(rsa.slice(0, 2)).toEqual(['rsa-sha2-512', 'rsa-sha2-256']);
    expect(rsa).not.toContain('ssh-rsa');
    expect(algorithmsFor().compress).toEqual(['none']);
  });
});
