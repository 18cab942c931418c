import ssh2 from 'ssh2';
import { readFileSync } from 'node:fs';
import { startTestHosts } from '../test/hosts/harness.js';
import { algorithmsFor } from '../core/ssh/algorithms.js';
const th = await startTestHosts({ count: 1 });
try {
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint(); const c0 = process.cpuUsage();
    await new Promise<void>((res, rej) => {
      const c = new ssh2.Client();
      c.on('handshake', (n) => i === 0 && console.log(n));
      c.on('ready', () => { c.exec('true', (e, ch) => { ch.on('close', () => { c.end(); res(); }); ch.resume(); }); }).on('error', rej);
      c.connect({ host: th.hosts[0]!.address, username: th.user, privateKey: readFileSync(th.keyPath), algorithms: algorithmsFor(), hostVerifier: () => true });
    });
    const cu = process.cpuUsage(c0);
    console.log('wall ms', Number(process.hrtime.bigint() - t0) / 1e6, 'cpu ms', (cu.user + cu.system) / 1000);
  }
} finally { await th.stop(); }
