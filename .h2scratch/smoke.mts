import { startTestHosts } from '../test/hosts/harness.js';
import { Ssh2Connector, KnownHosts, SshPool } from '../core/ssh/index.js';
import { Secret } from '../core/common/secret.js';
const th = await startTestHosts({ count: 3, hosts: [{}, { sudo: 'password' }, { sudo: 'none' }] });
try {
  const kh = new KnownHosts({ file: th.knownHostsFile });
  const pw = Secret.of(th.password);
  const conn = new Ssh2Connector({ knownHosts: kh, secrets: { password: { p: pw }, passphrase: { k: Secret.of(th.keyPassphrase) }, sudoPassword: { p: pw } } });
  const pool = new SshPool(conn);
  const mk = (i: number, auth: any) => ({ name: th.hosts[i]!.name, address: th.hosts[i]!.address, port: 22, user: th.user, auth });
  const pwAuth = { name: 'p', method: 'password', passphrase: false, sudo: 'password' } as const;
  const keyAuth = { name: 'k', method: 'key', keyPath: th.keyPassphrasePath, passphrase: true, sudo: 'nopasswd' } as const;
  let t = Date.now();
  const r = await pool.exec(mk(0, keyAuth), 'hostname; id -un; echo err >&2; exit 3', { onStdout: (l) => console.log('line:', l) });
  console.log(r, Date.now() - t);
  t = Date.now();
  console.log(await pool.exec(mk(0, keyAuth), 'id -u', { sudo: true }), Date.now() - t);
  console.log(await pool.exec(mk(1, pwAuth), 'id -u; cat', { sudo: true, stdin: 'hello stdin\n' }));
  try { await pool.exec(mk(2, pwAuth), 'id -u', { sudo: true }); } catch (e) { console.log('expected:', String(e)); }
  t = Date.now();
  try { await pool.exec(mk(0, keyAuth), 'sleep 30 & sleep 40', { timeoutMs: 1000 }); } catch (e) { console.log('expected:', String(e), Date.now() - t); }
  console.log(await th.exec(0, 'pgrep -a sleep || echo no-sleep'));
  const up = await pool.upload(mk(1, pwAuth), Buffer.alloc(300000, 7), '/etc/kubernetes/x.bin', { sudo: true, onProgress: (s, n) => s === n && console.log('progress', s, n) });
  console.log(up, await th.exec(1, 'ls -l /etc/kubernetes; sha256sum /etc/kubernetes/x.bin'));
  await pool.closeAll();
} finally {
  await th.stop();
}
