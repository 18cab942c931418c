// The hostile-input suite: plans, YAML files, vars files, WebSocket frames and HTTP requests an attacker (or
// a careless copy-paste) could hand the installer. Each case is one test, named for what it sends. Each is
// refused with a message naming the field, through every entry point that could act on it — the CLI
// (validate, preflight, apply, import: the commands' own functions, and the real binary for a few), the API
// service (what the desktop app calls), and the browser-mode WebSocket server — and no command runs on any
// host: the test hosts' sshd logs every TCP connection and session (LogLevel VERBOSE), a hostile string that
// ran would leave a marker file, and authorized_keys and known_hosts must stay byte for byte the same.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { WS_CREDENTIAL_PREFIX, WS_SUBPROTOCOL, createInstallerService, type InstallerService } from '../../core/api/index.js';
import { startServer, type RunningServer } from '../../cli/serve/server.js';
import { validateCommand } from '../../cli/commands/validate.js';
import { preflightCommand } from '../../cli/commands/preflight.js';
import { apply } from '../../cli/commands/apply.js';
import { importCommand } from '../../cli/commands/import.js';
import { renderMessage } from '../../core/api/install.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../hosts/harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'cli', 'main.ts');

const can = canRunTestHosts();
if (!can.ok) console.log(`hostile-input suite skipped: ${can.reason}`);

type Obj = Record<string, unknown>;
type PlanObj = Obj & { hosts: Obj[]; auth: Obj[]; cluster: Obj };

/** A field path as a regex that accepts `hosts[0].name` and `hosts.0.name`. */
function fieldRe(paths: string | string[]): RegExp {
  return new RegExp((Array.isArray(paths) ? paths : [paths]).map((p) => fieldPattern(p)).join('|'));
}

function fieldPattern(path: string): string {
  const parts = path
    .split(/(\[\d+\])/)
    .filter(Boolean)
    .map((p) => {
      const m = /^\[(\d+)\]$/.exec(p);
      return m ? `(?:\\[${m[1]}\\]|\\.${m[1]})` : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    });
  return parts.join('');
}

/** Where a case is (QA_TRACE=file): a hang shows which entry point it is in. */
function trace(what: string): void {
  if (process.env.QA_TRACE) appendFileSync(process.env.QA_TRACE, `${new Date().toISOString()} ${what}\n`);
}

async function captured<T>(fn: () => Promise<T>): Promise<{ value: T; out: string }> {
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  let out = '';
  const grab = ((chunk: unknown) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = grab;
  process.stderr.write = grab;
  try {
    const value = await fn();
    return { value, out };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

/** Settles a promise to its error (or a marker when it did not reject). */
async function rejection(p: Promise<unknown>): Promise<{ rejected: boolean; text: string; value?: unknown }> {
  try {
    const value = await p;
    return { rejected: false, text: JSON.stringify(value)?.slice(0, 2000) ?? '', value };
  } catch (e) {
    const err = e as { key?: string; params?: unknown; message?: string };
    return { rejected: true, text: JSON.stringify({ key: err.key, params: err.params, message: err.message }) };
  }
}

describe.skipIf(!can.ok)('hostile input: refused with the field named, nothing run on any host', () => {
  let th: TestHosts;
  let dir: string;
  let bundle: string;
  let knownHosts: string;
  let service: InstallerService;
  let server: RunningServer;
  let marker: string;
  const sshdLogOffset: number[] = [];
  let before: { authorized: string[]; known: string } | undefined;

  const net = () => th.hosts[0]!.address.replace(/\.\d+$/, '');
  const h = (i: number) => th.hosts[i]!.address;

  const standalone = (): PlanObj => ({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'k-paas-v1.6.2',
    cluster: { name: 'qa-hostile' },
    auth: [{ name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
    hosts: [
      { name: 'master-1', address: h(0), roles: ['control-plane', 'etcd'] },
      { name: 'worker-1', address: h(1), roles: ['worker'] },
    ],
    network: { metallbRange: `${net()}.200-${net()}.210`, ingressIp: `${net()}.220` },
    storage: { type: 'nfs', nfs: { server: h(0), path: '/srv/nfs' } },
    bundle: { path: bundle },
  });

  const edge = (): PlanObj => ({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'edge',
    release: 'k-paas-v1.6.2-kubeedge-1.23',
    cluster: { name: 'qa-hostile-edge' },
    auth: [{ name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
    hosts: [
      { name: 'master-1', address: h(0), roles: ['control-plane'] },
      { name: 'edge-1', address: h(1), roles: ['edge'] },
    ],
    edge: { cloudcoreAddress: h(0) },
  });

  // What a hostile string would do if a shell ever ran it.
  const pwn = () => `touch ${marker}`;

  beforeAll(async () => {
    th = await startTestHosts({ count: 2 });
    dir = mkdtempSync(join(tmpdir(), 'cpq-hostile-'));
    marker = join(tmpdir(), `cpq-pwned-${randomBytes(4).toString('hex')}`);
    bundle = join(dir, 'bundle');
    mkdirSync(join(bundle, 'kubespray'), { recursive: true });
    writeFileSync(join(bundle, 'kubespray', 'cluster.yml'), '- hosts: all\n');
    knownHosts = join(dir, 'known_hosts');
    copyFileSync(th.knownHostsFile, knownHosts);
    // Every TCP connection and every session command shows in the hosts' sshd logs from here on.
    for (const host of th.hosts) {
      appendFileSync(join(host.dir, 'sshd_config'), 'LogLevel VERBOSE\n');
      process.kill(host.sshdPid, 'SIGHUP');
    }
    await new Promise((r) => setTimeout(r, 500));
    const renderer = join(dir, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>wizard</title>');
    writeFileSync(join(dir, 'outside.txt'), 'outside-the-renderer');
    service = createInstallerService({ workdir: join(dir, 'work'), shell: 'browser', knownHostsFile: knownHosts });
    server = await startServer({ api: service, rendererDir: renderer, port: 0, version: 'test' });
    process.env.LC_ALL = 'C';
    process.env.LANG = 'C';
  });

  afterAll(async () => {
    await server?.close();
    await service?.dispose();
    await th?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (marker) rmSync(marker, { force: true });
  });

  const snapshot = () => {
    th.hosts.forEach((host, i) => (sshdLogOffset[i] = statSync(join(host.dir, 'sshd.log')).size));
    before = {
      authorized: th.hosts.map((host) => readFileSync(join(host.dir, 'home', '.ssh', 'authorized_keys'), 'utf8')),
      known: readFileSync(knownHosts, 'utf8'),
    };
  };

  /** Nothing reached a host since the snapshot: no TCP connection, no session, no marker, no key written. */
  const expectNothingRan = async () => {
    await new Promise((r) => setTimeout(r, 200));
    th.hosts.forEach((host, i) => {
      const log = readFileSync(join(host.dir, 'sshd.log')).subarray(sshdLogOffset[i]).toString('utf8');
      const contacts = log.split('\n').filter((l) => /Connection from|Starting session|Accepted|Postponed|preauth/.test(l));
      expect(contacts, `sshd on ${host.name} was contacted`).toEqual([]);
      expect(readFileSync(join(host.dir, 'home', '.ssh', 'authorized_keys'), 'utf8'), `authorized_keys of ${host.name}`).toBe(before!.authorized[i]);
    });
    expect(readFileSync(knownHosts, 'utf8'), 'known_hosts').toBe(before!.known);
    expect(existsSync(marker), 'a hostile command ran').toBe(false);
  };

  // ---- the browser-mode socket --------------------------------------------------------------------------

  /**
   * The one place that knows how a page authenticates its WebSocket: the printed address's one-time ticket
   * as a subprotocol on the first handshake, then the session key the server answered with in its hello.
   */
  let wsKey: string | undefined;
  const wsOpen = (over: { origin?: string; host?: string; credential?: string } = {}): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (over.host) headers.Host = over.host;
      const credential = over.credential ?? wsKey ?? server.token;
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, [WS_SUBPROTOCOL, `${WS_CREDENTIAL_PREFIX}${credential}`], {
        origin: over.origin ?? `http://127.0.0.1:${server.port}`,
        headers,
      });
      ws.once('message', (data) => {
        const hello = JSON.parse(String(data)) as { t: string; key?: string };
        if (hello.t === 'hello' && hello.key && over.credential === undefined) wsKey = hello.key;
        resolve(ws);
      });
      ws.once('close', (code) => reject(new Error(`closed ${code}`)));
      ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`HTTP ${res.statusCode}`));
        ws.terminate();
      });
      ws.once('error', reject);
    });

  let nextId = 1000;
  const wsInvoke = (ws: WebSocket, command: string, args: unknown): Promise<{ ok: boolean; text: string }> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`no answer to ${command}`)), 90_000);
      const on = (data: WebSocket.RawData) => {
        const f = JSON.parse(String(data)) as { t: string; id?: number; ok?: boolean; error?: unknown; result?: unknown };
        if (f.t === 'result' && f.id === id) {
          ws.off('message', on);
          clearTimeout(timer);
          resolve({ ok: !!f.ok, text: JSON.stringify(f.ok ? f.result : f.error).slice(0, 4000) });
        }
      };
      ws.on('message', on);
      ws.send(JSON.stringify({ t: 'invoke', id, command, args }));
    });

  const cancelIfStarted = async (r: { rejected: boolean; value?: unknown }) => {
    const runId = (r.value as { runId?: string } | undefined)?.runId;
    if (runId) await service.invoke('run.cancel', { runId }).catch(() => undefined);
  };

  // ---- plan cases ----------------------------------------------------------------------------------------

  interface PlanCase {
    title: string;
    /** The field the refusal must name (any one of several, when the product may name either side). */
    field: string | string[];
    /** 'run': validation may accept it (e.g. a path that exists only later), but every entry point that would
     *  act on it (dry run, apply, the API's run commands) refuses it by name. */
    stage?: 'validate' | 'run';
    plan: () => PlanObj;
    /** false: the address, if ever used, would send traffic off this machine (DNS, another network), so the
     *  entry points that connect are not tried; validation and the dry run still must refuse it. */
    connect?: boolean;
    /** Also run the real `cp-installer` binary on it. */
    binary?: Array<'validate' | 'preflight' | 'apply'>;
  }

  const planCase = (c: PlanCase) =>
    it(`plan ${c.title} → refused naming ${[c.field].flat().join(' or ')}`, async () => {
      const validating = c.stage !== 'run';
      const plan = c.plan();
      const file = join(dir, `case-${randomBytes(3).toString('hex')}.yaml`);
      writeFileSync(file, stringify(plan));
      const re = fieldRe(c.field);
      // What the run refuses (stage 'run') it may name by the value (the bundle's path) rather than the field.
      const reRun = c.stage === 'run' ? new RegExp(`${re.source}|${String(((plan as Obj).bundle as Obj | undefined)?.path ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) : re;
      snapshot();

      // CLI: validate, preflight, apply and apply --dry-run, through the commands' own functions.
      if (validating) {
        trace(`${c.title}: validate`);
        const v = await captured(() => validateCommand(file, { lang: 'en' }));
        expect(v.value, `validate: ${v.out}`).not.toBe(0);
        expect(v.out, 'validate names the field').toMatch(re);
      }
      trace(`${c.title}: apply --dry-run`);
      const dry = sink();
      const d = await apply(file, { dryRun: true, workdir: join(dir, 'work') }, { out: dry.stream, err: dry.stream, isTTY: false });
      // A plan validation refuses exits 2; one only the run finds wrong (stage 'run') fails the dry run (1).
      if (validating) expect(d, `apply --dry-run: ${dry.text().slice(0, 400)}`).toBe(2);
      else expect(d, `apply --dry-run: ${dry.text().slice(0, 400)}`).not.toBe(0);
      expect(dry.text()).toMatch(reRun);
      if (c.connect !== false && validating) {
        trace(`${c.title}: preflight`);
        const p = await captured(() => preflightCommand(file, { lang: 'en', json: true, knownHosts, acceptNewHostKeys: true }));
        expect(p.value, `preflight: ${p.out.slice(0, 600)}`).toBe(2);
        expect(p.out, 'preflight names the field').toMatch(re);
      }
      if (c.connect !== false) {
        trace(`${c.title}: apply`);
        const out = sink();
        const a = await captured(() => apply(file, { workdir: join(dir, 'work'), knownHosts, acceptNewHostKeys: true }, { out: out.stream, err: out.stream, isTTY: false }));
        if (validating) {
          expect(a.value, `apply: ${out.text().slice(0, 600)}`).toBe(2);
          expect(out.text(), 'apply names the field').toMatch(re);
        } else expect(a.value, `apply: ${out.text().slice(0, 600)}`).not.toBe(0);
      }

      // The API service (the desktop app's and the wizard's engine).
      if (validating) {
        const val = (await service.invoke('plan.validate', { plan } as never)) as { valid: boolean; errors: Array<{ path: string }> };
        expect(val.valid).toBe(false);
        expect(val.errors.map((e) => e.path).join(' '), 'plan.validate names the field').toMatch(re);
      }
      const commands = c.connect === false ? ['run.dryRun'] : validating ? ['run.dryRun', 'ssh.test', 'preflight.run', 'run.start'] : ['run.dryRun', 'run.start'];
      for (const command of commands) {
        trace(`${c.title}: API ${command}`);
        const r = await rejection(service.invoke(command as 'run.dryRun', { plan } as never));
        await cancelIfStarted(r);
        expect(r.rejected, `API ${command} accepted the plan: ${r.text.slice(0, 300)}`).toBe(true);
        expect(r.text, `API ${command} names the field`).toMatch(reRun);
      }

      // The browser-mode WebSocket.
      const ws = await wsOpen();
      try {
        for (const command of c.connect === false || !validating ? ['run.dryRun'] : ['run.dryRun', 'ssh.test']) {
          trace(`${c.title}: WebSocket ${command}`);
          const r = await wsInvoke(ws, command, { plan });
          expect(r.ok, `WebSocket ${command} accepted the plan: ${r.text.slice(0, 300)}`).toBe(false);
          expect(r.text, `WebSocket ${command} names the field`).toMatch(reRun);
        }
      } finally {
        ws.terminate();
      }

      // The real binary, as a user runs it.
      for (const cmd of c.binary ?? []) {
        const args = cmd === 'validate' ? [file] : [file, '--known-hosts', knownHosts, '--accept-new-host-keys', ...(cmd === 'apply' ? ['--workdir', join(dir, 'work')] : [])];
        const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, cmd, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, LANG: 'C' } });
        expect(r.status, `cp-installer ${cmd}: ${r.stdout}${r.stderr}`).toBe(cmd === 'validate' ? 1 : 2);
        expect(r.stdout + r.stderr).toMatch(re);
      }
      await expectNothingRan();
    });

  const mut =
    (base: () => PlanObj, change: (p: PlanObj) => void) =>
    (): PlanObj => {
      const p = base();
      change(p);
      return p;
    };

  it('control: a clean plan does reach the hosts, so the detector can see a connection', async () => {
    snapshot();
    const r = (await service.invoke('ssh.test', { plan: standalone() } as never)) as { hosts: Array<{ ok: boolean }> };
    expect(r.hosts.every((x) => x.ok)).toBe(true);
    const log = readFileSync(join(th.hosts[0]!.dir, 'sshd.log')).subarray(sshdLogOffset[0]).toString('utf8');
    expect(log).toMatch(/Connection from/);
    expect((await service.invoke('plan.validate', { plan: standalone() } as never)) as { valid: boolean }).toMatchObject({ valid: true });
    expect((await service.invoke('plan.validate', { plan: edge() } as never)) as { valid: boolean }).toMatchObject({ valid: true });
  });

  // Shell metacharacters in every plan string that reaches a command.
  planCase({ title: 'hosts[0].name "$(touch …)"', field: 'hosts[0].name', plan: mut(standalone, (p) => (p.hosts[0]!.name = `m1$(${pwn()})`)), binary: ['apply'] });
  planCase({ title: 'hosts[1].name with a newline and a command', field: 'hosts[1].name', plan: mut(standalone, (p) => (p.hosts[1]!.name = `w1\n${pwn()}`)) });
  planCase({ title: 'hosts[0].user "root;touch …"', field: 'hosts[0].user', plan: mut(standalone, (p) => (p.hosts[0]!.user = `root;${pwn()}`)) });
  planCase({ title: 'auth[0].user with backticks', field: 'auth[0].user', plan: mut(standalone, (p) => (p.auth[0]!.user = `\`${pwn()}\``)) });
  planCase({ title: 'auth[0].keyPath with a newline and a command', field: 'auth[0].keyPath', plan: mut(standalone, (p) => (p.auth[0]!.keyPath = `${th.keyPath}\n${pwn()}`)) });
  planCase({ title: 'auth[0].keyPath relative "../id"', field: 'auth[0].keyPath', plan: mut(standalone, (p) => (p.auth[0]!.keyPath = '../id_ed25519')) });
  planCase({ title: 'cluster.name "qa$(touch …)"', field: 'cluster.name', plan: mut(standalone, (p) => (p.cluster.name = `qa$(${pwn()})`)), binary: ['preflight'] });
  planCase({
    title: 'cluster.name with a newline and an attacker public key (issue 10.1)',
    field: 'cluster.name',
    plan: mut(standalone, (p) => (p.cluster.name = `x\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKz0attackerattackerattackerattackerattacker0 evil@attacker`)),
  });
  planCase({ title: 'cluster.name with a NUL byte (issue 10.8)', field: 'cluster.name', plan: mut(standalone, (p) => (p.cluster.name = 'qa\u0000x')) });
  planCase({ title: 'cluster.name of 300 characters', field: 'cluster.name', plan: mut(standalone, (p) => (p.cluster.name = 'a'.repeat(300))) });
  // The path is the first field of an /etc/exports line: a space or a newline would export more than asked.
  planCase({ title: 'storage.nfs.path with a space adding "*(rw,no_root_squash)" to /etc/exports', field: 'storage.nfs.path', plan: mut(standalone, (p) => ((p.storage as Obj).nfs = { server: h(0), path: '/srv/nfs *(rw,no_root_squash,insecure)' })) });
  planCase({ title: 'storage.nfs.path with a newline adding a second export line', field: 'storage.nfs.path', plan: mut(standalone, (p) => ((p.storage as Obj).nfs = { server: h(0), path: '/srv/nfs\n/ *(rw,no_root_squash)' })) });
  planCase({ title: 'storage.nfs.path relative "../../etc"', field: 'storage.nfs.path', plan: mut(standalone, (p) => ((p.storage as Obj).nfs = { server: h(0), path: '../../etc' })) });
  planCase({ title: 'storage.nfs.server "$(touch …)"', field: 'storage.nfs.server', plan: mut(standalone, (p) => ((p.storage as Obj).nfs = { server: `$(${pwn()})`, path: '/srv/nfs' })) });
  planCase({ title: 'portal.domain "a.example|touch …"', field: 'portal.domain', plan: mut(standalone, (p) => (p.portal = { domain: `a.example|${pwn()}` })) });
  planCase({ title: 'cluster.loadBalancerDomain "lb.example && touch …"', field: 'cluster.loadBalancerDomain', plan: mut(standalone, (p) => (p.cluster.loadBalancerDomain = `lb.example && ${pwn()}`)) });
  planCase({ title: 'registry.address "reg:5000;touch …"', field: 'registry.address', plan: mut(standalone, (p) => (p.registry = { address: `reg.example:5000;${pwn()}` })) });
  planCase({ title: 'bundle.path with a carriage return and a command', field: 'bundle.path', plan: mut(standalone, (p) => (p.bundle = { path: `${bundle}\r${pwn()}` })) });
  planCase({ title: 'bundle.path that does not exist (issue 10.8)', field: 'bundle.path', stage: 'run', connect: false, plan: mut(standalone, (p) => (p.bundle = { path: join(dir, 'no-such-bundle') })) });
  planCase({
    title: 'hosts[1].labels value with a comma adding a control-plane label (issue 10.1)',
    field: 'hosts[1].labels',
    plan: mut(edge, (p) => (p.hosts[1]!.labels = { tier: 'a,node-role.kubernetes.io/control-plane=' })),
  });
  planCase({ title: 'hosts[1].labels key "$(touch …)"', field: 'hosts[1].labels', plan: mut(edge, (p) => (p.hosts[1]!.labels = { [`$(${pwn()})`]: 'x' })) });
  planCase({ title: 'edge.cloudcoreAddress "…;touch …"', field: 'edge.cloudcoreAddress', plan: mut(edge, (p) => (p.edge = { cloudcoreAddress: `${h(0)};${pwn()}` })) });
  planCase({ title: 'release "k-paas$(touch …)"', field: 'release', plan: mut(standalone, (p) => (p.release = `k-paas$(${pwn()})`)) });
  planCase({ title: 'hosts[0].address "…;touch …"', field: 'hosts[0].address', plan: mut(standalone, (p) => (p.hosts[0]!.address = `${h(0)};${pwn()}`)) });
  planCase({ title: 'hosts[0].privateAddress "… && touch …"', field: 'hosts[0].privateAddress', plan: mut(standalone, (p) => (p.hosts[0]!.privateAddress = `10.0.0.1 && ${pwn()}`)) });
  planCase({
    title: 'auth[0].jumpHost.address "$(touch …)"',
    field: 'auth[0].jumpHost.address',
    plan: mut(standalone, (p) => (p.auth[0]!.jumpHost = { address: `$(${pwn()})`, port: 22 })),
  });

  // Addresses spelled so the system resolver reads them as another address (issue 10.3, 10.4). Each of these
  // spellings would reach test host 0 if it were ever resolved, so a connection would show in its sshd log.
  const octet = (i: number) => Number(h(0).split('.')[i]);
  planCase({ title: 'hosts[0].address with an octal last octet "a.b.c.012"', field: 'hosts[0].address', plan: mut(standalone, (p) => (p.hosts[0]!.address = `${net()}.012`)), binary: ['preflight'] });
  planCase({ title: 'hosts[0].address with an octal first octet "012.b.c.d"', field: 'hosts[0].address', plan: mut(standalone, (p) => (p.hosts[0]!.address = `012.${h(0).split('.').slice(1).join('.')}`)) });
  planCase({ title: 'hosts[0].address with a hex first octet "0x0a.b.c.d"', field: 'hosts[0].address', plan: mut(standalone, (p) => (p.hosts[0]!.address = `0x0a.${h(0).split('.').slice(1).join('.')}`)), binary: ['apply'] });
  planCase({
    title: 'hosts[0].address as one 32-bit integer',
    field: 'hosts[0].address',
    plan: mut(standalone, (p) => (p.hosts[0]!.address = String(((octet(0) << 24) >>> 0) + (octet(1) << 16) + (octet(2) << 8) + octet(3)))),
  });
  planCase({ title: 'hosts[0].address in the short form "a.b.N"', field: 'hosts[0].address', plan: mut(standalone, (p) => (p.hosts[0]!.address = `${octet(0)}.${octet(1)}.${octet(2) * 256 + octet(3)}`)) });
  planCase({ title: 'jumpHost.address in hex "0x0a.b.c.d"', field: 'auth[0].jumpHost.address', plan: mut(standalone, (p) => (p.auth[0]!.jumpHost = { address: `0x0a.${h(0).split('.').slice(1).join('.')}`, port: 22 })) });
  // These two would go off this machine (a DNS query; 8.x.x.x), so only the entry points that never connect are tried.
  planCase({ title: 'hosts[0].address "a.b.c.256"', field: 'hosts[0].address', plan: mut(standalone, (p) => (p.hosts[0]!.address = `${net()}.256`)), connect: false });
  planCase({ title: 'hosts[0].address "010.b.c.012" (octal to another network)', field: 'hosts[0].address', plan: mut(standalone, (p) => (p.hosts[0]!.address = `010.${octet(1)}.${octet(2)}.012`)), connect: false });
  planCase({ title: 'two hosts with the same address', field: 'hosts[1].address', plan: mut(standalone, (p) => (p.hosts[1]!.address = h(0))) });
  planCase({ title: 'cluster.podCidr "10.233.64.0/33"', field: 'cluster.podCidr', plan: mut(standalone, (p) => (p.cluster.podCidr = '10.233.64.0/33')) });
  planCase({ title: 'cluster.serviceCidr overlapping cluster.podCidr', field: 'cluster.serviceCidr', plan: mut(standalone, (p) => ((p.cluster.podCidr = '10.233.0.0/16'), (p.cluster.serviceCidr = '10.233.128.0/18'))) });
  planCase({ title: 'cluster.podCidr overlapping the hosts network', field: ['cluster.podCidr', 'hosts[0].address'], plan: mut(standalone, (p) => (p.cluster.podCidr = `${octet(0)}.${octet(1)}.0.0/16`)) });
  planCase({ title: 'cluster.podCidr with a leading-zero octet "010.233.64.0/18"', field: 'cluster.podCidr', plan: mut(standalone, (p) => (p.cluster.podCidr = '010.233.64.0/18')) });
  planCase({ title: 'network.metallbRange "a-b;touch …"', field: 'network.metallbRange', plan: mut(standalone, (p) => (p.network = { metallbRange: `a-b;${pwn()}`, ingressIp: `${net()}.220` })) });
  planCase({ title: 'network.ingressIp "10.213.x.014" (octal)', field: 'network.ingressIp', plan: mut(standalone, (p) => (p.network = { metallbRange: `${net()}.200-${net()}.210`, ingressIp: `${net()}.0220` })) });

  // ---- YAML files that attack the parser -----------------------------------------------------------------

  interface FileCase {
    title: string;
    /** What the message must say (a field path, or the file's problem). */
    says: RegExp;
    bytes: () => Buffer | string;
    binary?: boolean;
  }

  const fileCase = (c: FileCase) =>
    it(`file ${c.title} → refused: ${c.says.source}`, async () => {
      const file = join(dir, `file-${randomBytes(3).toString('hex')}.yaml`);
      const bytes = c.bytes();
      writeFileSync(file, bytes);
      snapshot();
      const v = await captured(() => validateCommand(file, { lang: 'en' }));
      expect(v.value, `validate: ${v.out.slice(0, 400)}`).not.toBe(0);
      expect(v.out).toMatch(c.says);
      expect(v.out).not.toMatch(/ReferenceError|RangeError|TypeError|at .*\.ts:\d+/);
      const p = await captured(() => preflightCommand(file, { lang: 'en', json: true, knownHosts, acceptNewHostKeys: true }));
      expect(p.value, `preflight: ${p.out.slice(0, 400)}`).toBe(2);
      const out = sink();
      // A file refused before it is parsed may leave apply() as an error with a catalog key, which the binary's
      // top level (cli/failure.ts) prints and turns into exit 2.
      const a = await captured(() =>
        apply(file, { workdir: join(dir, 'work'), knownHosts }, { out: out.stream, err: out.stream, isTTY: false }).catch((e: { key?: string; params?: Record<string, string | number> }) => {
          if (!e.key) throw e;
          out.stream.write(renderMessage({ key: e.key, params: e.params ?? {} }, 'en'));
          return 2;
        }),
      );
      expect(a.value, `apply: ${out.text().slice(0, 400)}`).toBe(2);
      expect(out.text()).toMatch(c.says);
      // The API and the socket parse YAML text too (the wizard's "open plan" and paste).
      const text = Buffer.isBuffer(bytes) ? bytes.toString('latin1') : bytes;
      if (text.length < 3 * 1024 * 1024) {
        const parsed = await rejection(service.invoke('plan.parse', { yaml: text }));
        const refused = parsed.rejected || ((parsed.value as { plan?: unknown; issues: Array<{ severity: string }> }).issues ?? []).some((i) => i.severity === 'error');
        expect(refused, `plan.parse: ${parsed.text.slice(0, 300)}`).toBe(true);
        const ws = await wsOpen();
        try {
          const r = await wsInvoke(ws, 'plan.parse', { yaml: text });
          expect(r.ok === false || /"severity":"error"/.test(r.text), `WebSocket plan.parse: ${r.text.slice(0, 300)}`).toBe(true);
        } finally {
          ws.terminate();
        }
      }
      if (c.binary) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'validate', file], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, LANG: 'C' } });
        expect(r.status, `cp-installer validate: ${r.stdout}${r.stderr}`.slice(0, 600)).toBe(2);
        expect(r.stdout + r.stderr).toMatch(c.says);
        expect(r.stderr).not.toMatch(/ReferenceError|Excessive alias count/);
      }
      await expectNothingRan();
    });

  fileCase({
    title: 'a YAML alias bomb (billion laughs) (issue 10.11)',
    says: /alias|too many|expands/i,
    binary: true,
    bytes: () => {
      const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
      return `apiVersion: cp-installer/v1\nkind: Plan\nmode: standalone\nrelease: k-paas-v1.6.2\n${lines.join('\n')}\n`;
    },
  });
  fileCase({
    title: 'nesting 20,000 levels deep',
    says: /deep|nest|syntax|YAML/i,
    bytes: () => `apiVersion: cp-installer/v1\nkind: Plan\nmode: standalone\nrelease: k-paas-v1.6.2\ncluster: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
  });
  fileCase({
    title: 'a 40 MB plan file',
    says: /large|size|MB|bytes/i,
    bytes: () => {
      const pad = `# ${'x'.repeat(1000)}\n`.repeat(40_000);
      return `apiVersion: cp-installer/v1\nkind: Plan\nmode: standalone\nrelease: k-paas-v1.6.2\n${pad}`;
    },
  });
  fileCase({
    title: 'duplicate keys (two cluster.name)',
    says: /"name" appears twice|duplicate/i,
    bytes: () => `apiVersion: cp-installer/v1\nkind: Plan\nmode: standalone\nrelease: k-paas-v1.6.2\ncluster:\n  name: good\n  name: "x$(touch /tmp/cpq-dup)"\n`,
  });
  fileCase({
    title: 'bytes that are not UTF-8',
    says: /UTF-8|encoding|utf8|character/i,
    bytes: () => Buffer.concat([Buffer.from('apiVersion: cp-installer/v1\nkind: Plan\nmode: standalone\nrelease: k-paas-v1.6.2\ncluster:\n  name: "'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"\n')]),
  });
  fileCase({
    title: 'a YAML tag that asks for a JavaScript function',
    says: /tag|function|unknown|syntax/i,
    bytes: () => `apiVersion: cp-installer/v1\nkind: Plan\nmode: standalone\nrelease: !!js/function "function(){ require('child_process').execSync('touch /tmp/cpq-js') }"\n`,
  });

  // ---- vars files given to `import` (parsed, never executed) ------------------------------------------------

  interface VarsCase {
    title: string;
    says: RegExp;
    text: string;
  }
  const varsCase = (c: VarsCase) =>
    it(`vars file ${c.title} → refused naming ${c.says.source}`, async () => {
      const file = join(dir, `vars-${randomBytes(3).toString('hex')}.sh`);
      writeFileSync(file, c.text);
      snapshot();
      const t0 = Date.now();
      const r = await captured(() => importCommand(file, undefined, { output: join(dir, `imported-${randomBytes(3).toString('hex')}.yaml`), user: th.user, key: th.keyPath }));
      expect(r.value, `import: ${r.out.slice(0, 600)}`).not.toBe(0);
      expect(r.out).toMatch(c.says);
      expect(Date.now() - t0, 'import stays quick (bounded)').toBeLessThan(20_000);
      const api = await rejection(service.invoke('plan.importVars', { clusterVars: c.text }));
      const said = api.rejected ? api.text : JSON.stringify((api.value as { issues?: unknown } | undefined)?.issues ?? []);
      expect(api.rejected || /"severity":"error"/.test(said), `API plan.importVars gave no error: ${said.slice(0, 300)}`).toBe(true);
      expect(said).toMatch(c.says);
      await expectNothingRan();
    });

  /** The official single-master example with one variable replaced (the line keeps its position). */
  const varsWith = (name: string, line: string) =>
    readFileSync(join(ROOT, 'test', 'fixtures', 'vars', 'cp-cluster-vars-single.sh'), 'utf8').replace(new RegExp(`^export ${name}=.*$`, 'm'), line);
  varsCase({ title: 'with a command substitution in MASTER1_NODE_HOSTNAME', says: /MASTER1_NODE_HOSTNAME/, text: varsWith('MASTER1_NODE_HOSTNAME', 'export MASTER1_NODE_HOSTNAME="m1$(touch /tmp/cpq-vars)"') });
  varsCase({ title: 'with backticks in WORKER1_NODE_PRIVATE_IP', says: /WORKER1_NODE_PRIVATE_IP/, text: varsWith('WORKER1_NODE_PRIVATE_IP', 'export WORKER1_NODE_PRIVATE_IP=`touch /tmp/cpq-vars`') });
  varsCase({ title: 'with an unterminated quote in MASTER1_NODE_PUBLIC_IP', says: /MASTER1_NODE_PUBLIC_IP/, text: varsWith('MASTER1_NODE_PUBLIC_IP', 'export MASTER1_NODE_PUBLIC_IP="192.168.100.10') });
  varsCase({ title: 'with KUBE_WORKER_HOSTS=50000000 (issue 10.9)', says: /KUBE_WORKER_HOSTS/, text: varsWith('KUBE_WORKER_HOSTS', 'export KUBE_WORKER_HOSTS=50000000') });

  // ---- the browser-mode server itself ---------------------------------------------------------------------

  const httpGet = (path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  /** Closes with a code, or answers an error frame for `id`; never runs anything. */
  const closeOrError = (ws: WebSocket, id: number | undefined, timeoutMs = 3000): Promise<{ closed?: number; error?: string; silent?: boolean }> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ silent: true }), timeoutMs);
      ws.once('close', (code) => (clearTimeout(timer), resolve({ closed: code })));
      ws.on('message', (data) => {
        const f = JSON.parse(String(data)) as { t: string; id?: number; ok?: boolean; error?: unknown };
        if (f.t === 'result' && f.id === id && !f.ok) {
          clearTimeout(timer);
          resolve({ error: JSON.stringify(f.error) });
        }
      });
    });

  it('WebSocket message over the size limit (5 MB) → the socket is closed (1009), nothing parsed', async () => {
    snapshot();
    const ws = await wsOpen();
    const big = JSON.stringify({ t: 'invoke', id: 1, command: 'plan.parse', args: { yaml: `# ${'x'.repeat(5 * 1024 * 1024)}` } });
    const settled = closeOrError(ws, 1, 10_000);
    ws.send(big);
    expect(await settled).toEqual({ closed: 1009 });
    await expectNothingRan();
  });

  it('WebSocket message that is not JSON → refused (api.badFrame or close 4400), the server stays up', async () => {
    snapshot();
    const ws = await wsOpen();
    try {
      const settled = closeOrError(ws, undefined, 1500);
      ws.send('{"t":"invoke","id":5,"command":"ssh.test","args":{');
      const r = await settled;
      expect(r.closed === 4400 || r.silent === true).toBe(true);
      if (r.silent) expect((await wsInvoke(ws, 'app.info', {})).ok).toBe(true);
    } finally {
      ws.terminate();
    }
    await expectNothingRan();
  });

  it('WebSocket binary frame → closed with 4400', async () => {
    snapshot();
    const ws = await wsOpen();
    const settled = closeOrError(ws, undefined, 3000);
    ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    expect(await settled).toEqual({ closed: 4400 });
    await expectNothingRan();
  });

  it('WebSocket frame with an extra "exec" field → api.badFrame, nothing run', async () => {
    snapshot();
    const ws = await wsOpen();
    try {
      const settled = closeOrError(ws, 77);
      ws.send(JSON.stringify({ t: 'invoke', id: 77, command: 'ssh.test', args: { plan: standalone() }, exec: 'touch /tmp/x' }));
      const r = await settled;
      expect(r.error ?? '', JSON.stringify(r)).toMatch(/api\.badFrame/);
    } finally {
      ws.terminate();
    }
    await expectNothingRan();
  });

  it('WebSocket unknown API command "fs.readFile" → api.unknownCommand naming the command', async () => {
    snapshot();
    const ws = await wsOpen();
    try {
      const r = await wsInvoke(ws, 'fs.readFile', { path: '/etc/shadow' });
      expect(r.ok).toBe(false);
      expect(r.text).toMatch(/api\.unknownCommand/);
      expect(r.text).toMatch(/fs\.readFile/);
    } finally {
      ws.terminate();
    }
    await expectNothingRan();
  });

  it('WebSocket run.state with runId "../../etc" → api.badArgs naming runId', async () => {
    snapshot();
    const ws = await wsOpen();
    try {
      const r = await wsInvoke(ws, 'run.state', { runId: '../../etc' });
      expect(r.ok).toBe(false);
      expect(r.text).toMatch(/api\.badArgs/);
      expect(r.text).toMatch(/runId/);
    } finally {
      ws.terminate();
    }
    await expectNothingRan();
  });

  it('WebSocket plan.load of /etc/shadow in browser mode → refused naming path (issue 10.2)', async () => {
    snapshot();
    const ws = await wsOpen();
    try {
      const r = await wsInvoke(ws, 'plan.load', { path: '/etc/shadow' });
      expect(r.ok, r.text.slice(0, 200)).toBe(false);
      expect(r.text).toMatch(/path/);
      expect(r.text).not.toMatch(/root:/);
    } finally {
      ws.terminate();
    }
    await expectNothingRan();
  });

  it('WebSocket plan.save to a path outside the work folder in browser mode → refused naming path (issue 10.2)', async () => {
    snapshot();
    const target = join(tmpdir(), `cpq-save-${randomBytes(3).toString('hex')}.yaml`);
    const ws = await wsOpen();
    try {
      const r = await wsInvoke(ws, 'plan.save', { path: target, plan: standalone() });
      expect(r.ok, r.text.slice(0, 200)).toBe(false);
      expect(r.text).toMatch(/path/);
      expect(existsSync(target)).toBe(false);
    } finally {
      ws.terminate();
      rmSync(target, { force: true });
    }
    await expectNothingRan();
  });

  it('WebSocket handshake with a foreign Origin → 403', async () => {
    snapshot();
    await expect(wsOpen({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(wsOpen({ origin: `http://127.0.0.1:${server.port + 1}` })).rejects.toThrow('HTTP 403');
    await expectNothingRan();
  });

  it('WebSocket handshake with a foreign Host (DNS rebinding) → 403', async () => {
    snapshot();
    await expect(wsOpen({ host: `evil.example:${server.port}` })).rejects.toThrow('HTTP 403');
    await expectNothingRan();
  });

  it('WebSocket with a forged credential (a guessed key) → closed before any command is answered', async () => {
    snapshot();
    await expect(wsOpen({ credential: 'A'.repeat(43) })).rejects.toThrow(/closed 4\d\d\d/);
    await expectNothingRan();
  });

  it('HTTP request with a foreign Host header → 403, no page', async () => {
    snapshot();
    const r = await httpGet('/', { Host: `rebind.evil.example:${server.port}` });
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('wizard');
    await expectNothingRan();
  });

  it('HTTP path traversal on the static server (../, %2e%2e, ..%2f, //, NUL) → nothing outside the renderer', async () => {
    snapshot();
    // With the page's credential if the server still hands one out as a cookie; without it otherwise.
    const first = await new Promise<string | undefined>((resolve) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: `/?token=${server.token}`, headers: { Host: `127.0.0.1:${server.port}` } }, (res) => {
        res.resume();
        resolve(String(res.headers['set-cookie'] ?? '').split(';')[0] || undefined);
      });
      req.end();
    });
    const headers: Record<string, string> = first ? { Cookie: first } : {};
    for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '//etc/passwd', '/..%5coutside.txt', '/index.html%00.txt']) {
      const r = await httpGet(path, headers);
      expect([400, 401, 403, 404], `${path}: ${r.status}`).toContain(r.status);
      expect(r.body, path).not.toContain('outside-the-renderer');
      expect(r.body, path).not.toContain('root:');
    }
    await expectNothingRan();
  });
});
