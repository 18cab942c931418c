// An /etc of a test host's own: this machine's /etc underneath, writes kept in a tmpfs of the host's mount
// namespace (so this machine's /etc is never written); the harness's per-host files bound on top again. The
// marker /etc/.cp-installer-test-etc tells the fakes (fakes/apt-get) that package files may be laid down.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { shq } from '../../../core/common/quote.js';
import type { TestHost, TestHosts } from '../../hosts/harness.js';

export async function ownEtc(th: TestHosts, i: number, h: TestHost): Promise<void> {
  const o = join(h.dir, 'etc-overlay');
  mkdirSync(o, { recursive: true });
  const r = await th.exec(
    i,
    [
      `mount -t tmpfs tmpfs ${shq(o)}`,
      `mkdir ${shq(`${o}/upper`)} ${shq(`${o}/work`)}`,
      `mount -t overlay overlay -o ${shq(`lowerdir=/etc,upperdir=${o}/upper,workdir=${o}/work`)} /etc`,
      ...(['hosts', 'hostname'] as const).map((f) => `mount --bind ${shq(join(h.dir, f))} /etc/${f}`),
      `mount --bind ${shq(join(h.dir, 'kube'))} /etc/kubernetes`,
      `mount --bind ${shq(join(h.dir, 'sudoers.d'))} /etc/sudoers.d`,
      'touch /etc/.cp-installer-test-etc',
    ].join(' && '),
  );
  if (r.code !== 0) throw new Error(`test host ${i}: an /etc of its own: ${r.stderr}`);
}
