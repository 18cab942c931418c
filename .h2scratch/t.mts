import { startTestHosts } from '../test/hosts/harness.js';
import { Ssh2Connector, KnownHosts } from '../core/ssh/index.js';
const th = await startTestHosts({ count: 1 });
try {
  const conn = new Ssh2Connector({ knownHosts: new KnownHosts({ file: th.knownHostsFile }) });
  const s = await conn.connect({ name: 'h0', address: th.hosts[0]!.address, port: 22, user: th.user, auth: { name: 'k', method: 'key', keyPath: th.keyPath, passphrase: false, sudo: 'nopasswd' } });
  console.log(await s.exec('cat /proc/$$/stat; ps -o pid,pgid,sid,cmd -u ' + th.user));
  const t = Date.now();
  const p = s.exec('sleep 30 & sleep 40', { timeoutMs: 1000, onStdout: (l) => console.log('out', l) });
  setTimeout(async () => console.log(await th.exec(0, 'ps -o pid,pgid,cmd -u ' + th.user + '')), 500);
  try { await p; } catch (e) { console.log(String(e), Date.now() - t); }
  console.log(await th.exec(0, 'pgrep -a sleep || echo none'));
  await s.close();
} finally { await th.stop(); }
