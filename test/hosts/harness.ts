// Real OpenSSH test hosts on this machine: each host is a network namespace on a private bridge with its own
// sshd, host key, hostname (UTS namespace) and bind-mounted /etc/hosts, /usr/local/bin, /etc/kubernetes,
// /var/lib/cp-installer, home and /etc/sudoers.d (mount namespace). Needs root. Recipe: shared/TESTING.md.
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { shq } from '../../core/common/quote.js';
import { canRecordEgress, EGRESS_RESOLVER, egressInstallCommand, egressListCommand, parseEgressSets, type EgressAttempt } from './egress.js';
import { ed25519HostKey } from './host-key.js';
import { must, run } from './run.js';
import { allStates, bridgeName, claim, isStale, load, save, teardown, type HarnessState } from './state.js';

export interface HostVariant {
  sudo: 'nopasswd' | 'password' | 'none';
  /** Start sshd under `taskset` on CPUs 0..cpus-1, so `nproc` on that host reports this many. */
  cpus?: number;
  /** Bind a copy of /proc/meminfo with this MemTotal. */
  memTotalKb?: number;
  /** Text of /etc/os-release on that host. */
  osRelease?: string;
  hostname?: string;
}

export interface TestHost {
  index: number;
  name: string;
  ns: string;
  address: string;
  port: 22;
  /** `SHA256:…` as OpenSSH prints it. */
  hostKeyFingerprint: string;
  /** `ssh-ed25519 AAAA…` */
  hostPublicKey: string;
  /** Per-host root: bin/ (/usr/local/bin), kube/ (/etc/kubernetes), lib/ (/var/lib/cp-installer),
   *  home/ (the user's home), hosts (/etc/hosts), sudoers.d/ (/etc/sudoers.d). */
  dir: string;
  variant: HostVariant;
  /** The sshd listener; sessions are its children. */
  sshdPid: number;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface TestHosts {
  id: number;
  hosts: TestHost[];
  user: string;
  password: string;
  /** Unencrypted ed25519 key, authorised on every host. */
  keyPath: string;
  /** A second authorised ed25519 key, encrypted with `keyPassphrase`. */
  keyPassphrasePath: string;
  keyPassphrase: string;
  /** OpenSSH known_hosts with every host's key (by address). */
  knownHostsFile: string;
  bridgeAddress: string;
  dir: string;
  /** Runs `cmd` with sh inside host i's namespaces (net, mount, UTS) as root. */
  exec(i: number, cmd: string): Promise<ExecResult>;
  /** With `recordEgress`: every outbound attempt outside the test network so far (hosts given, or all). */
  egressAttempts(hosts?: number[]): Promise<EgressAttempt[]>;
  linkDown(i: number): Promise<void>;
  linkUp(i: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  count: number;
  id?: number;
  /** Per-host variant overrides; host i gets hosts[i] over the default { sudo: 'nopasswd' }. */
  hosts?: Array<Partial<HostVariant>>;
  /** Kept after this process exits (cli `up`); taken down only by `down`. */
  persistent?: boolean;
  /**
   * Record and reject every outbound attempt to outside the test subnet (nftables in each host's namespace,
   * test/hosts/egress.ts); the hosts' resolver is then outside too, so a name lookup is a recorded attempt.
   */
  recordEgress?: boolean;
  /**
   * Folders each host gets a writable copy of (an overlay on a tmpfs of its own mount namespace, this
   * machine's folder underneath), e.g. /etc, /opt, /usr/local/lib: what the host writes there stays its own.
   */
  ownDirs?: string[];
}

const SSHD = '/usr/sbin/sshd';
const MAX_ID = 199;
const MAX_HOSTS = 240;

export function canRunTestHosts(): { ok: boolean; reason?: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'test hosts need Linux network namespaces' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'test hosts need root (network namespaces, sshd)' };
  const need: Array<[string, string]> = [
    [SSHD, 'openssh-server'],
    ['/usr/bin/unshare', 'util-linux'],
    ['/usr/bin/nsenter', 'util-linux'],
    ['/usr/bin/sudo', 'sudo'],
  ];
  for (const [path, pkg] of need) {
    if (!existsSync(path)) return { ok: false, reason: `${path} missing (apt-get install -y ${pkg})` };
  }
  if (!['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip'].some((p) => existsSync(p))) {
    return { ok: false, reason: 'ip missing (apt-get install -y iproute2)' };
  }
  try {
    accessSync('/var/run/netns', constants.W_OK);
  } catch {
    try {
      mkdirSync('/var/run/netns', { recursive: true });
    } catch {
      return { ok: false, reason: 'cannot create /var/run/netns' };
    }
  }
  return { ok: true };
}

/** SHA256 fingerprint of an SSH public key blob, as OpenSSH prints it. */
function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

const live = new Set<HarnessState>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const cleanAll = () => {
    for (const s of live) if (!s.persistent) teardown(s);
    live.clear();
  };
  process.on('exit', cleanAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanAll();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

function claimId(requested: number | undefined, persistent: boolean): HarnessState {
  const tryOne = (id: number): HarnessState | undefined => {
    let state = claim(id, persistent);
    if (!state) {
      const held = load(id);
      if (held && isStale(held)) {
        teardown(held);
        state = claim(id, persistent);
      }
    }
    if (state && existsSync(`/sys/class/net/${bridgeName(id)}`)) {
      // A bridge nobody recorded: not ours to delete; give the id back and look further.
      teardown({ ...state, namespaces: [], bridge: '' });
      return undefined;
    }
    return state;
  };
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 0 || requested > MAX_ID) {
      throw new Error(`test-host id must be 0..${MAX_ID}, got ${requested}`);
    }
    const state = tryOne(requested);
    if (!state) throw new Error(`test-host id ${requested} is in use (see /tmp/cp-test-hosts/cpt${requested}.json)`);
    return state;
  }
  for (let id = 0; id <= MAX_ID; id++) {
    const state = tryOne(id);
    if (state) return state;
  }
  throw new Error('no free test-host id (0..199); run `npm run hosts:down`');
}

async function ensureUser(user: string, home: string): Promise<boolean> {
  const exists = (await run('id', ['-u', user])).code === 0;
  if (exists) return false;
  for (let attempt = 0; ; attempt++) {
    const r = await run('useradd', ['-M', '-d', home, '-s', '/bin/bash', '-U', user]);
    if (r.code === 0) return true;
    // 10: /etc/passwd locked by a concurrent useradd (another harness); 9: made meanwhile by someone else
    if (r.code === 9) return false;
    if (r.code !== 10 || attempt > 40) throw new Error(`useradd ${user} failed (${r.code}): ${r.stderr.trim()}`);
    await new Promise((res) => setTimeout(res, 50 + Math.random() * 100));
  }
}

async function setPassword(user: string, password: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const r = await run('chpasswd', [], `${user}:${password}\n`);
    if (r.code === 0) return;
    if (attempt > 40) throw new Error(`chpasswd failed (${r.code}): ${r.stderr.trim()}`);
    await new Promise((res) => setTimeout(res, 50 + Math.random() * 100));
  }
}

function idsOf(user: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`user ${user} not in /etc/passwd`);
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

function meminfoWith(memTotalKb: number): string {
  return readFileSync('/proc/meminfo', 'utf8').replace(/^MemTotal:\s+\d+ kB$/m, `MemTotal:       ${memTotalKb} kB`);
}

function sudoersFor(user: string, mode: HostVariant['sudo']): string | undefined {
  if (mode === 'nopasswd') return `${user} ALL=(ALL:ALL) NOPASSWD: ALL\n`;
  // No timestamp cache: every sudo on this host must ask, so tests of the password path are deterministic.
  if (mode === 'password') return `Defaults:${user} timestamp_timeout=0\n${user} ALL=(ALL:ALL) ALL\n`;
  return undefined;
}

function waitForBanner(address: string, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = connect({ host: address, port: 22 });
      let got = '';
      const retry = (why: string) => {
        sock.destroy();
        let alive = true;
        try {
          process.kill(pid, 0);
        } catch {
          alive = false;
        }
        if (!alive) return reject(new Error(`sshd on ${address} exited: ${why}`));
        if (Date.now() > deadline) return reject(new Error(`sshd on ${address} not ready: ${why}`));
        setTimeout(attempt, 15);
      };
      sock.setTimeout(1000, () => retry('timeout'));
      sock.on('error', (e) => retry(e.message));
      sock.on('data', (d) => {
        got += d.toString('latin1');
        if (got.includes('SSH-2.0')) {
          sock.destroy();
          resolve();
        }
      });
    };
    attempt();
  });
}

export async function startTestHosts(opts: StartOptions): Promise<TestHosts> {
  const can = canRunTestHosts();
  if (!can.ok) throw new Error(`cannot start test hosts: ${can.reason}`);
  if (opts.recordEgress) {
    const eg = canRecordEgress();
    if (!eg.ok) throw new Error(`cannot record egress: ${eg.reason}`);
  }
  for (const d of opts.ownDirs ?? []) {
    if (!d.startsWith('/') || d === '/' || !existsSync(d)) throw new Error(`ownDirs: ${d} must be an existing absolute folder other than /`);
  }
  if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > MAX_HOSTS) {
    throw new Error(`count must be 1..${MAX_HOSTS}`);
  }
  const state = claimId(opts.id, opts.persistent ?? false);
  live.add(state);
  installExitHandlers();
  try {
    return await build(state, opts);
  } catch (e) {
    live.delete(state);
    teardown(state);
    throw e;
  }
}

async function build(state: HarnessState, opts: StartOptions): Promise<TestHosts> {
  const t0 = Date.now();
  const trace = (what: string) => {
    if (process.env.CPT_TRACE) process.stderr.write(`[harness] ${what} +${Date.now() - t0} ms\n`);
  };
  const id = state.id;
  const bridge = state.bridge;
  const prefix = `10.213.${id}`;
  const bridgeAddress = `${prefix}.1`;
  const dir = mkdtempSync(`/tmp/cpt${id}-`);
  chmodSync(dir, 0o755);
  const user = `cpuser${id}`;
  const home = `/home/${user}`;
  state.dir = dir;
  state.user = user;
  state.namespaces = Array.from({ length: opts.count }, (_, n) => `cpt${id}-h${n}`);
  save(state);

  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  for (const mp of ['/etc/kubernetes', '/var/lib/cp-installer', home]) {
    if (!existsSync(mp)) {
      mkdirSync(mp, { recursive: true, mode: 0o755 });
      if (mp === home) state.homeMount = home;
    }
  }

  const password = randomBytes(12).toString('hex');
  const keyPassphrase = randomBytes(9).toString('base64url');
  const keyPath = join(dir, 'id_ed25519');
  const keyPassphrasePath = join(dir, 'id_ed25519_pass');
  // The passphrase is a throwaway made for this run; ssh-keygen only takes it as an argument.
  const keygen = Promise.all([
    must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${user}@harness`, '-f', keyPath]),
    must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', keyPassphrase, '-C', `${user}@harness-pass`, '-f', keyPassphrasePath]),
  ]);
  state.userCreated = await ensureUser(user, home);
  save(state);
  trace('user');
  await Promise.all([setPassword(user, password), keygen]);
  trace('password+keys');
  const { uid, gid } = idsOf(user);
  const authorized = [readFileSync(`${keyPath}.pub`, 'utf8').trim(), readFileSync(`${keyPassphrasePath}.pub`, 'utf8').trim()].join('\n') + '\n';

  const variants: HostVariant[] = Array.from({ length: opts.count }, (_, n) => ({
    sudo: 'nopasswd',
    ...(opts.hosts?.[n] ?? {}),
  }));
  const names = variants.map((v, n) => v.hostname ?? `cpt${id}-h${n}`);
  const addresses = variants.map((_, n) => `${prefix}.${10 + n}`);
  const etcHosts =
    '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' +
    names.map((nm, n) => `${addresses[n]}\t${nm}\n`).join('');

  const hosts: TestHost[] = [];
  const knownHosts: string[] = [];
  for (let n = 0; n < opts.count; n++) {
    const hdir = join(dir, `h${n}`);
    for (const sub of ['bin', 'kube', 'lib', 'home', 'sudoers.d']) mkdirSync(join(hdir, sub), { recursive: true });
    chmodSync(join(hdir, 'sudoers.d'), 0o750);
    writeFileSync(join(hdir, 'hosts'), etcHosts);
    writeFileSync(join(hdir, 'hostname'), `${names[n]}\n`);
    if (opts.recordEgress) writeFileSync(join(hdir, 'resolv.conf'), `nameserver ${EGRESS_RESOLVER}\n`);
    (opts.ownDirs ?? []).forEach((_, k) => mkdirSync(join(hdir, 'own', String(k)), { recursive: true }));
    const homeDir = join(hdir, 'home');
    mkdirSync(join(homeDir, '.ssh'), { mode: 0o700 });
    writeFileSync(join(homeDir, '.ssh', 'authorized_keys'), authorized, { mode: 0o600 });
    for (const p of [homeDir, join(homeDir, '.ssh'), join(homeDir, '.ssh', 'authorized_keys')]) chownSync(p, uid, gid);
    const v = variants[n]!;
    const sudoers = sudoersFor(user, v.sudo);
    if (sudoers) writeFileSync(join(hdir, 'sudoers.d', 'cp-test'), sudoers, { mode: 0o440 });
    if (v.memTotalKb !== undefined) writeFileSync(join(hdir, 'meminfo'), meminfoWith(v.memTotalKb));
    if (v.osRelease !== undefined) writeFileSync(join(hdir, 'os-release'), v.osRelease);

    const key = ed25519HostKey(names[n]!);
    writeFileSync(join(hdir, 'ssh_host_ed25519_key'), key.privateKey, { mode: 0o600 });
    writeFileSync(join(hdir, 'ssh_host_ed25519_key.pub'), `${key.publicLine}\n`);
    const blob = key.blob;
    const hostPublicKey = `ssh-ed25519 ${blob.toString('base64')}`;
    knownHosts.push(`${addresses[n]} ${hostPublicKey}\n`);
    writeFileSync(
      join(hdir, 'sshd_config'),
      [
        `ListenAddress ${addresses[n]}:22`,
        `HostKey ${join(hdir, 'ssh_host_ed25519_key')}`,
        'PidFile none',
        'UsePAM no',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin no',
        `AllowUsers ${user}`,
        'AuthorizedKeysFile .ssh/authorized_keys',
        'StrictModes no',
        'UseDNS no',
        'PrintMotd no',
        'PrintLastLog no',
        // Many installers connect at once: the default 10:30:100 would drop connections under test load.
        'MaxStartups 500',
        'MaxSessions 64',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
    hosts.push({
      index: n,
      name: names[n]!,
      ns: state.namespaces[n]!,
      address: addresses[n]!,
      port: 22,
      hostKeyFingerprint: fingerprintOf(blob),
      hostPublicKey,
      dir: hdir,
      variant: v,
      sshdPid: 0,
    });
  }
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, knownHosts.join(''));
  trace('files');

  // One batch for the bridge, the namespaces and the veths; each namespace's own addresses are set by the
  // script that starts its sshd (already inside it: no second `ip netns exec` per host).
  const batch = [`link add ${bridge} type bridge`, `addr add ${bridgeAddress}/24 dev ${bridge}`, `link set ${bridge} up`];
  for (let n = 0; n < opts.count; n++) {
    const ns = state.namespaces[n]!;
    batch.push(`netns add ${ns}`, `link add cpt${id}v${n} type veth peer name eth0 netns ${ns}`, `link set cpt${id}v${n} master ${bridge} up`);
  }
  await must('ip', ['-batch', '-'], batch.join('\n') + '\n');
  trace('links');

  // One launcher shell starts every host in the background and prints their pids: one process spawn from
  // Node instead of one per host, and the sshds are the launcher's orphans, not our zombies to reap.
  const launcher: string[] = [];
  for (const h of hosts) {
    const v = h.variant;
    const binds: Array<[string, string]> = [
      [join(h.dir, 'hosts'), '/etc/hosts'],
      [join(h.dir, 'hostname'), '/etc/hostname'],
      [join(h.dir, 'kube'), '/etc/kubernetes'],
      [join(h.dir, 'bin'), '/usr/local/bin'],
      [join(h.dir, 'lib'), '/var/lib/cp-installer'],
      [join(h.dir, 'home'), home],
      [join(h.dir, 'sudoers.d'), '/etc/sudoers.d'],
    ];
    if (opts.recordEgress) binds.push([join(h.dir, 'resolv.conf'), '/etc/resolv.conf']);
    if (v.memTotalKb !== undefined) binds.push([join(h.dir, 'meminfo'), '/proc/meminfo']);
    // Overlays first: the binds above (into /etc among others) then land on the host's own copy.
    const own = (opts.ownDirs ?? []).flatMap((d, k) => {
      const o = join(h.dir, 'own', String(k));
      return [`mount -t tmpfs tmpfs ${shq(o)}`, `mkdir ${shq(`${o}/upper`)} ${shq(`${o}/work`)}`, `mount -t overlay overlay -o ${shq(`lowerdir=${d},upperdir=${o}/upper,workdir=${o}/work`)} ${shq(d)}`];
    });
    if (v.osRelease !== undefined) binds.push([join(h.dir, 'os-release'), '/etc/os-release']);
    const cpus = v.cpus !== undefined ? `taskset -c ${shq(`0-${Math.max(0, v.cpus - 1)}`)} ` : '';
    const script = [
      'set -e',
      `printf '%s\\n' 'link set lo up' ${shq(`addr add ${h.address}/24 dev eth0`)} 'link set eth0 up' ${shq(`route add default via ${bridgeAddress}`)} | ip -batch -`,
      `hostname ${shq(h.name)}`,
      ...own,
      ...binds.map(([from, to]) => `mount --bind ${shq(from)} ${shq(to)}`),
      `exec ${cpus}${SSHD} -D -e -f ${shq(join(h.dir, 'sshd_config'))}`,
    ].join('\n');
    // ip netns exec, unshare (no --fork) and sh's exec all keep the pid: $! is the sshd listener.
    launcher.push(
      `setsid ip netns exec ${shq(h.ns)} unshare --uts --mount --propagation private sh -c ${shq(script)} </dev/null >>${shq(join(h.dir, 'sshd.log'))} 2>&1 &`,
      'echo $!',
    );
  }
  const pids = (await must('sh', ['-c', launcher.join('\n')])).trim().split('\n').map(Number);
  hosts.forEach((h, n) => {
    const pid = pids[n];
    if (!pid) throw new Error(`could not start sshd for ${h.name}`);
    h.sshdPid = pid;
    state.sshd.push({ pid, config: join(h.dir, 'sshd_config') });
  });
  save(state);
  trace('spawned');
  try {
    await Promise.all(hosts.map((h) => waitForBanner(h.address, h.sshdPid, 10_000)));
  } catch (e) {
    const logs = hosts.map((h) => `${h.name}: ${readFileSync(join(h.dir, 'sshd.log'), 'utf8').trim()}`).join('\n');
    throw new Error(`${(e as Error).message}\n${logs}`, { cause: e });
  }

  trace('ready');
  if (opts.recordEgress) {
    await Promise.all(
      hosts.map(async (h) => {
        const r = await run('nsenter', ['-t', String(h.sshdPid), '-n', '--', 'sh', '-c', egressInstallCommand([`${prefix}.0/24`])]);
        if (r.code !== 0) throw new Error(`egress recorder on ${h.name}: ${r.stderr.trim()}`);
      }),
    );
    trace('egress');
  }
  let stopped = false;
  const harness: TestHosts = {
    id,
    hosts,
    user,
    password,
    keyPath,
    keyPassphrasePath,
    keyPassphrase,
    knownHostsFile,
    bridgeAddress,
    dir,
    exec(i, cmd) {
      const h = hosts[i];
      if (!h) return Promise.reject(new Error(`no test host ${i}`));
      // Same CPU affinity as the host's sshd, so `nproc` here agrees with what an SSH session sees.
      const cpus = h.variant.cpus !== undefined ? ['taskset', '-c', `0-${Math.max(0, h.variant.cpus - 1)}`] : [];
      return run('nsenter', ['-t', String(h.sshdPid), '-m', '-u', '-n', '--', ...cpus, 'sh', '-c', cmd]);
    },
    async egressAttempts(which) {
      if (!opts.recordEgress) throw new Error('egressAttempts: start the hosts with recordEgress: true');
      const list = await Promise.all(
        (which ?? hosts.map((h) => h.index)).map(async (i) => {
          const h = hosts[i]!;
          const r = await run('nsenter', ['-t', String(h.sshdPid), '-n', '--', 'sh', '-c', egressListCommand()]);
          if (r.code !== 0) throw new Error(`egress recorder on ${h.name}: ${r.stderr.trim()}`);
          return parseEgressSets(h.name, r.stdout);
        }),
      );
      return list.flat();
    },
    async linkDown(i) {
      await must('ip', ['link', 'set', `cpt${id}v${i}`, 'down']);
    },
    async linkUp(i) {
      await must('ip', ['link', 'set', `cpt${id}v${i}`, 'up']);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      live.delete(state);
      teardown(state);
    },
  };
  state.summary = {
    user,
    password,
    keyPath,
    keyPassphrasePath,
    keyPassphrase,
    knownHostsFile,
    hosts: hosts.map((h) => ({ name: h.name, address: h.address, ns: h.ns, sudo: h.variant.sudo, fingerprint: h.hostKeyFingerprint })),
  };
  save(state);
  return harness;
}

/** Takes down every recorded harness that passes `filter` (default: made by `up`, or left by a dead process). */
export function stopAll(filter: (s: HarnessState) => boolean = (s) => s.persistent || isStale(s)): number[] {
  const done: number[] = [];
  for (const s of allStates()) {
    if (!filter(s)) continue;
    teardown(s);
    done.push(s.id);
  }
  return done;
}
