import { startTestHosts } from '../test/hosts/harness.js';
for (const n of [3, 20]) {
  const t0 = Date.now();
  const th = await startTestHosts({ count: n });
  const t1 = Date.now();
  await th.stop();
  console.log(`${n} hosts: up ${t1 - t0} ms, down ${Date.now() - t1} ms`);
}
