// ed25519 host keys in OpenSSH's own private-key format, from Node's crypto (no process per host). Built here
// rather than with ssh2's keygen, which now and then writes an ed25519 key that sshd cannot load.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

function sshString(data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export interface HostKey {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` text, unencrypted, as sshd's HostKey file. */
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment` */
  publicLine: string;
  /** The public key blob (what known_hosts holds, base64-decoded). */
  blob: Buffer;
}

export function ed25519HostKey(comment: string): HostKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = randomBytes(4);
  let section = Buffer.concat([
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  const pad = (8 - (section.length % 8)) % 8;
  section = Buffer.concat([section, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(blob),
    sshString(section),
  ]);
  const b64 = body.toString('base64').replace(/.{70}/g, '$&\n');
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64.endsWith('\n') ? b64 : `${b64}\n`}-----END OPENSSH PRIVATE KEY-----\n`,
    publicLine: `ssh-ed25519 ${blob.toString('base64')} ${comment}`,
    blob,
  };
}
