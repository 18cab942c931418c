// The transport algorithms offered to servers: OpenSSH 9's own defaults minus nothing a current server needs,
// and nothing weak. Excluded on purpose: every CBC cipher and 3DES/arcfour/blowfish/cast (padding-oracle and
// 64-bit-block attacks), every SHA-1 or MD5 MAC and the truncated -96 MACs, SHA-1 key exchange
// (group1/group14-sha1, group-exchange-sha1), and SHA-1 host-key signatures (`ssh-rsa`, `ssh-dss`).
// RSA host keys still work through rsa-sha2-256/512 (RFC 8332). Compression is off: installer traffic is
// small commands and already-compressed bundles, and zlib costs CPU on 50 parallel sessions.
import type { Algorithms, CipherAlgorithm, KexAlgorithm, MacAlgorithm, ServerHostKeyAlgorithm } from 'ssh2';

export const KEX: KexAlgorithm[] = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
];

// AES-GCM first: it runs in Node's native crypto, while chacha20-poly1305 falls back to ssh2's JS poly1305
// here (the native addon is not built), so GCM is the faster of the two AEAD ciphers.
export const CIPHERS: CipherAlgorithm[] = [
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'chacha20-poly1305@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
];

export const MACS: MacAlgorithm[] = ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'];

export const HOST_KEYS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
];

/** known_hosts key type → the host-key algorithms that prove it. */
export function algorithmsForKeyType(keyType: string): ServerHostKeyAlgorithm[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256'];
  return HOST_KEYS.filter((a) => a === keyType);
}

/**
 * The offer for one host: host-key algorithms whose key type is already in known_hosts go first (what OpenSSH
 * does), so a host with both an RSA and an ed25519 key is checked against the one the user trusted.
 */
export function algorithmsFor(knownKeyTypes: readonly string[] = []): Algorithms {
  const preferred = knownKeyTypes.flatMap(algorithmsForKeyType);
  const serverHostKey = [...new Set([...preferred, ...HOST_KEYS])];
  return { kex: [...KEX], cipher: [...CIPHERS], hmac: [...MACS], serverHostKey, compress: ['none'] };
}
