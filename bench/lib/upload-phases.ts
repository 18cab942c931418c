// Where the bundle upload's time goes (bench/bundle-upload.bench.ts --phases): the pieces of the product's
// path timed one at a time on the same test host, each as a whole process with its CPU on both ends (the
// client's process tree, and the host's sshd with what it starts, both by cpuacct cgroup), then the product's
// own upload in-process with a timestamp at each SSH operation and event.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { uploadBundle } from '../../core/api/bundle.js';
import { Ssh2Connector } from '../../core/ssh/connector.js';
import { KnownHosts } from '../../core/ssh/known-hosts.js';
import { WRITE_AND_HASH_PY } from '../../core/ssh/openssh-pipe.js';
import type { Connector, SshSession, SshTarget } from '../../core/ssh/types.js';
import type { TestHosts } from '../../test/hosts/harness.js';
import { CpuGroup, median, timedProcess } from './measure.js';

interface Row {
  what: string;
  wallMs: number[];
  clientCpuMs: number[];
  hostCpuMs: number[];
}

export async function phases(th: TestHosts, file: string, bin: string, planFile: string, rounds: number): Promise<void> {
  const h = th.hosts[0]!;
  const hostGroup = CpuGroup.create('sshd');
  // Every session's sshd, shell and command is forked from the listener, so they count in its group.
  hostGroup?.add(h.sshdPid);
  const home = `/home/${th.user}`;
  const clean = async () => {
    const r = await th.exec(0, `rm -rf ${home}/ph && install -d -o ${th.user} ${home}/ph`);
    if (r.code !== 0) throw new Error(r.stderr);
  };
  const sshBase = ['-i', th.keyPath, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${th.knownHostsFile}`, '-o', 'StrictHostKeyChecking=yes'];
  const shell = (cmd: string) => ['sh', ['-c', cmd]] as const;
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const ssh = (extra: string[], remote: string) => `ssh ${[...sshBase, ...extra].map(q).join(' ')} ${th.user}@${h.address} ${q(remote)} < ${q(file)}`;
  const cases: Array<[string, readonly [string, readonly string[]]]> = [
    ['node start-up: cp-installer --version', [process.execPath, [bin, '--version']]],
    ['ssh login + `true` (default cipher)', shell(`ssh ${sshBase.map(q).join(' ')} ${th.user}@${h.address} true`)],
    ['scp (defaults)', ['scp', ['-q', ...sshBase, file, `${th.user}@${h.address}:ph/scp.tar`]]],
    ['ssh cat > f (default cipher)', shell(ssh([], 'cat > ph/a'))],
    ['ssh cat > f (aes128-gcm)', shell(ssh(['-c', 'aes128-gcm@openssh.com'], 'cat > ph/a'))],
    ['ssh tee f | openssl dgst (aes128-gcm)', shell(ssh(['-c', 'aes128-gcm@openssh.com'], 'tee ph/a | openssl dgst -sha256 -r'))],
    ['ssh cat > f; openssl dgst f (aes128-gcm)', shell(ssh(['-c', 'aes128-gcm@openssh.com'], 'cat > ph/a && openssl dgst -sha256 -r ph/a'))],
    ['ssh python3 write+hash, the product\'s host side (aes128-gcm)', shell(ssh(['-c', 'aes128-gcm@openssh.com'], `python3 -c ${q(WRITE_AND_HASH_PY)} ph/a 0`))],
    ['local openssl dgst -sha256', ['openssl', ['dgst', '-sha256', file]]],
    ['cp-installer bundle upload (whole)', [process.execPath, [bin, 'bundle', 'upload', file, '--plan', planFile, '--to', 'ph', '--known-hosts', th.knownHostsFile, '--json']]],
  ];
  const only = process.env.PHASES_ONLY ? new RegExp(process.env.PHASES_ONLY) : undefined;
  if (only) cases.splice(0, cases.length, ...cases.filter(([w]) => only.test(w)));
  const rows: Row[] = cases.map(([what]) => ({ what, wallMs: [], clientCpuMs: [], hostCpuMs: [] }));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      await clean();
      const [cmd, args] = cases[i]![1];
      const before = hostGroup?.usageMs() ?? NaN;
      const t = await timedProcess(cmd, [...args], { name: `ph${i}` });
      if (t.code !== 0) throw new Error(`${rows[i]!.what}: exit ${t.code}: ${t.stderr.slice(-400)}`);
      rows[i]!.wallMs.push(t.wallMs);
      rows[i]!.clientCpuMs.push(t.cpuMs);
      rows[i]!.hostCpuMs.push((hostGroup?.usageMs() ?? NaN) - before);
    }
  }
  const nodeHash = async () => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const hh = createHash('sha256');
    for await (const c of createReadStream(file, { highWaterMark: 1024 * 1024 })) hh.update(c as Buffer);
    hh.digest();
    const c = process.cpuUsage(c0);
    return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
  };
  const nh = await nodeHash();
  console.log('--- phases: each piece alone, whole processes, medians of', rounds, '---');
  console.log('| piece | wall ms | client CPU ms | host CPU ms |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.what} | ${median(row.wallMs).toFixed(0)} | ${median(row.clientCpuMs).toFixed(0)} | ${median(row.hostCpuMs).toFixed(0)} |`);
  console.log(`| node sha256 of the file (in-process, 1 MiB reads) | ${nh.wall.toFixed(0)} | ${nh.cpu.toFixed(0)} | 0 |`);

  // The product's own steps, in-process: a timestamp at each SSH operation and event.
  await clean();
  const marks: Array<[string, number]> = [];
  const t0 = performance.now();
  const mark = (s: string) => marks.push([s, performance.now() - t0]);
  const inner = new Ssh2Connector({ knownHosts: new KnownHosts({ file: th.knownHostsFile }), secrets: {}, acceptNewHostKeys: false });
  const connector: Connector = {
    async connect(target: SshTarget, signal?: AbortSignal): Promise<SshSession> {
      mark('connect: start');
      const s = await inner.connect(target, signal);
      mark('connect: logged in');
      return new Proxy(s, {
        get(obj, prop, recv) {
          const v = Reflect.get(obj, prop, recv) as unknown;
          if (typeof v !== 'function') return v;
          const name = String(prop);
          return (...args: unknown[]) => {
            const label = name === 'exec' ? `exec ${String(args[0]).slice(0, 40)}` : name;
            mark(`${label}: start`);
            const out = (v as (...a: unknown[]) => unknown).apply(obj, args);
            if (out instanceof Promise) void out.then(() => mark(`${label}: end`), () => mark(`${label}: failed`));
            return out;
          };
        },
      });
    },
  };
  const c0 = process.cpuUsage();
  let firstProgress = false;
  await uploadBundle(JSON.parse(readFileSync(planFile, 'utf8')), file, {
    secrets: {},
    to: 'ph',
    knownHostsFile: th.knownHostsFile,
    useSshConfig: false,
    connector,
    onEvent: (e) => {
      if (e.type === 'progress') {
        if (!firstProgress) mark('first progress (part growing)');
        firstProgress = true;
        if (e.done === e.total) mark('progress: all bytes on the host');
      } else mark(`event ${e.type}${e.type === 'carrier' ? ` ${e.carrier}` : ''}`);
    },
  });
  mark('done');
  const c = process.cpuUsage(c0);
  console.log(`--- the product's steps in-process (Node CPU ${((c.user + c.system) / 1000).toFixed(0)} ms, not counting ssh) ---`);
  for (const [s, ms] of marks) console.log(`${ms.toFixed(0).padStart(6)} ms  ${s}`);
  // The listener goes back to the root group (removing ours would end it); the group goes when empty.
  if (hostGroup) {
    writeFileSync('/sys/fs/cgroup/cpuacct/cgroup.procs', String(h.sshdPid));
    await hostGroup.remove().catch(() => undefined);
  }
}
