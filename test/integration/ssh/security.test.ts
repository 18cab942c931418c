// The security issue's SSH items on real OpenSSH test hosts: an invalid plan reaches no host (#3), a second
// spelling of an address cannot get past a key on file (#4), a jump host's key is named as the jump
// host's (#10), and a stale .pub on the deployer never reaches a node (#1).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { preflightCommand } from '../../../cli/commands/preflight.js';
import { runPlanPreflight } from '../../../core/api/preflight.js';
import { render } from '../../../core/common/messages.js';
import { deployerKeyStep, DEPLOYER_KEY, nodeKeysStep } from '../../../core/install/deployer-key.js';
import { MemoryOutputs } from '../../../core/install/context.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import { StepError, type StepContext } from '../../../core/install/step.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { KnownHosts } from '../../../core/ssh/known-hosts.js';
import { sshErrorMessage, sshMessages } from '../../../core/ssh/messages.js';
import type { SshSession } from '../../../core/ssh/types.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { connector, profiles, target } from './fixture.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`SSH security integration tests skipped: ${can.reason}`);

const CONTACT = /Connection (from|closed|reset)|Accepted|Failed|preauth|Disconnected|Received disconnect/;

describe.skipIf(!can.ok)('security on real hosts', () => {
  let th: TestHosts;
  let dir = '';
  const logOf = (i: number) => join(th.hosts[i]!.dir, 'sshd.log');
  const logSize = (i: number) => readFileSync(logOf(i), 'utf8').length;
  /** What sshd logged on host i since `from`, after a moment for it to write. */
  const logSince = async (i: number, from: number) => {
    await new Promise((r) => setTimeout(r, 300));
    return readFileSync(logOf(i), 'utf8').slice(from);
  };
  const octets = (i: number) => th.hosts[i]!.address.split('.').map(Number) as [number, number, number, number];

  function planFor(address: string): PlanInput {
    return {
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      cluster: { name: 'sec-it' },
      hosts: [{ name: 'master-1', address, user: th.user, roles: ['control-plane', 'worker'], auth: 'k' }],
      auth: [{ name: 'k', method: 'key', keyPath: th.keyPath, sudo: 'nopasswd' }],
      storage: { nfs: { server: '192.0.2.50' } },
      portal: { domain: 'portal.example.com' },
      network: { metallbRange: '192.0.2.200-192.0.2.210' },
    };
  }

  beforeAll(async () => {
    th = await startTestHosts({ count: 3 });
    dir = mkdtempSync(join(tmpdir(), 'ssh-sec-it-'));
  });
  afterAll(async () => {
    await th?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('security #3: nothing connects for an invalid plan', () => {
    // Each spelling is one inet_aton reads as host 0's own address (or one that is no address at all).
    const spellings = (): Array<[string, string]> => {
      const [a, b, c, d] = octets(0);
      return [
        ['a last octet in octal (10.250.0.014)', `${a}.${b}.${c}.0${d.toString(8)}`],
        ['every octet zero-padded (010.250.0.012)', `0${a.toString(8)}.${b}.${c}.0${d.toString(8)}`],
        ['an octet over 255 (10.250.0.256)', `${a}.${b}.${c}.256`],
        ['a hex first octet (0x0a.250.0.12)', `0x${a.toString(16)}.${b}.${c}.${d}`],
        ['the address as one integer (167772172)', String(((a * 256 + b) * 256 + c) * 256 + d)],
        ['a short form (10.1)', `${a}.${(b << 16) | (c << 8) | d}`],
      ];
    };

    it('the detector sees a real connection (control: a valid plan does reach host 0)', async () => {
      const before = logSize(0);
      const s = await connector(th).connect(target(th, 0, profiles.key));
      await s.close();
      expect(await logSince(0, before)).toMatch(CONTACT);
    });

    it('cp-installer preflight exits 2 for each spelling, and sshd on host 0 sees nothing; known_hosts is never written', async () => {
      for (const [what, address] of spellings()) {
        const planFile = join(dir, `plan-${address}.yaml`);
        writeFileSync(planFile, stringify(planFor(address)));
        const kh = join(dir, `kh-cli-${address}`);
        const before = logSize(0);
        const code = await preflightCommand(planFile, { json: true, knownHosts: kh, acceptNewHostKeys: true, lang: 'en' });
        expect(code, what).toBe(2);
        expect(existsSync(kh), what).toBe(false);
        expect(await logSince(0, before), what).not.toMatch(CONTACT);
      }
    }, 60_000);

    it('the core refuses too: runPlanPreflight (API, wizard) and the SSH side of a run (apply, resume) connect nowhere', async () => {
      for (const [what, address] of spellings()) {
        const kh = join(dir, `kh-core-${address}`);
        const before = logSize(0);
        const e = await runPlanPreflight(planFor(address), { secrets: {}, knownHostsFile: kh, acceptNewHostKeys: true, useSshConfig: false }).catch((x: unknown) => x);
        expect(String((e as Error).message), what).toContain('hosts[0].address');
        // The path every real run takes to its hosts: no target, so no pool, for a plan with errors.
        const f = await openSsh(Plan.parse(planFor(address)), {}, { knownHostsFile: kh, acceptNewHostKeys: true, useSshConfig: false }).catch((x: unknown) => x);
        expect(f, what).toMatchObject({ kind: 'plan-invalid', details: { fields: ['hosts[0].address'] } });
        expect(existsSync(kh), what).toBe(false);
        expect(await logSince(0, before), what).not.toMatch(CONTACT);
      }
    }, 60_000);

    it('the connector itself refuses a non-canonical address it is handed directly', async () => {
      const [a, b, c, d] = octets(0);
      const before = logSize(0);
      const e = await connector(th, { acceptNewHostKeys: true }).connect(target(th, 0, profiles.key, { address: `0x${a.toString(16)}.${b}.${c}.${d}` })).catch((x: unknown) => x);
      expect(e).toMatchObject({ kind: 'protocol' });
      expect(await logSince(0, before)).not.toMatch(CONTACT);
    });
  });

  describe('security #4: a changed key under any spelling of the machine is refused', () => {
    /** known_hosts with host 0's address filed under host 1's key: host 0 now "offers a changed key". */
    const changedFile = (name: string) => {
      const file = join(dir, name);
      writeFileSync(file, `${th.hosts[0]!.address} ${th.hosts[1]!.hostPublicKey}\n`);
      return file;
    };

    it('host 0 written as a DNS name that resolves to its address is refused, even with --accept-new-host-keys', async () => {
      const file = changedFile('kh-dns');
      const before = logSize(0);
      const c = connector(th, {
        knownHosts: new KnownHosts({ file }),
        acceptNewHostKeys: true,
        lookup: async (name) => (name === 'node-a.cluster.test' ? [th.hosts[0]!.address] : []),
      });
      const e = await c.connect(target(th, 0, profiles.key, { address: 'node-a.cluster.test' })).catch((x: unknown) => x);
      expect(e).toMatchObject({
        kind: 'host-key-changed',
        details: { fingerprint: th.hosts[0]!.hostKeyFingerprint, expected: th.hosts[1]!.hostKeyFingerprint, entry: th.hosts[0]!.address },
      });
      expect(readFileSync(file, 'utf8')).toBe(`${th.hosts[0]!.address} ${th.hosts[1]!.hostPublicKey}\n`);
      expect(await logSince(0, before)).not.toMatch(/Accepted|Failed/);
    });

    it('host 0 written as an IPv4-mapped IPv6 address is refused the same way', async () => {
      const file = changedFile('kh-mapped');
      const c = connector(th, { knownHosts: new KnownHosts({ file }), acceptNewHostKeys: true });
      const e = await c.connect(target(th, 0, profiles.key, { address: `::FFFF:${th.hosts[0]!.address}` })).catch((x: unknown) => x);
      expect(e).toMatchObject({ kind: 'host-key-changed', details: { entry: th.hosts[0]!.address } });
      expect(readFileSync(file, 'utf8')).toBe(`${th.hosts[0]!.address} ${th.hosts[1]!.hostPublicKey}\n`);
    });

    it('a new machine reached by name is filed under the name and the address it resolved to', async () => {
      const file = join(dir, 'kh-new-name');
      const c = connector(th, {
        knownHosts: new KnownHosts({ file }),
        acceptNewHostKeys: true,
        lookup: async () => [th.hosts[2]!.address],
      });
      const s = await c.connect(target(th, 2, profiles.key, { address: 'node-c.cluster.test' }));
      expect((await s.exec('hostname')).stdout.trim()).toBe(th.hosts[2]!.name);
      await s.close();
      expect(readFileSync(file, 'utf8')).toBe(`node-c.cluster.test ${th.hosts[2]!.hostPublicKey}\n${th.hosts[2]!.address} ${th.hosts[2]!.hostPublicKey}\n`);
    });
  });

  it("security #10: a jump host's unknown key is shown under the jump host's name, via the target", async () => {
    const file = join(dir, 'kh-jump');
    // Only the target's key is known: the jump host's is the one asked about.
    writeFileSync(file, `${th.hosts[1]!.address} ${th.hosts[1]!.hostPublicKey}\n`);
    const jump = target(th, 0, profiles.key);
    const e = await connector(th, { knownHosts: new KnownHosts({ file }) })
      .connect(target(th, 1, profiles.key, { jump }))
      .catch((x: unknown) => x);
    expect(e).toMatchObject({
      kind: 'host-key-unknown',
      host: th.hosts[0]!.name,
      details: { fingerprint: th.hosts[0]!.hostKeyFingerprint, jumpFor: th.hosts[1]!.name },
    });
    const text = render(sshMessages, 'en', sshErrorMessage(e as never));
    expect(text.startsWith(`${th.hosts[0]!.name} (the jump host on the way to ${th.hosts[1]!.name})`)).toBe(true);
    expect(text).toContain(th.hosts[0]!.hostKeyFingerprint);
  });

  describe('security #1: the deployer key', () => {
    /** A StepContext over a real session: exec, outputs and the log, all the key steps use. */
    function context(session: SshSession, plan: Plan, outputs: MemoryOutputs, host?: string): StepContext {
      return {
        plan,
        dryRun: false,
        outputs,
        host: host ? plan.hosts.find((h) => h.name === host) : undefined,
        log: () => undefined,
        async exec(_host: string, command: string, o: { check?: boolean } = {}) {
          const r = await session.exec(command);
          if (r.code !== 0 && o.check !== false) throw new Error(`${command}: exit ${r.code}: ${r.stderr}`);
          return r;
        },
      } as unknown as StepContext;
    }
    const keyPlan = () =>
      Plan.parse({
        ...planFor(th.hosts[1]!.address),
        hosts: [
          { name: 'deployer', address: th.hosts[1]!.address, roles: ['control-plane'] },
          { name: 'node', address: th.hosts[2]!.address, roles: ['worker'] },
        ],
      });

    it('a stale two-line .pub left on the deployer by an older run is refused; no node gets a key', async () => {
      const plan = keyPlan();
      const deployer = await connector(th).connect(target(th, 1, profiles.key));
      const node = await connector(th).connect(target(th, 2, profiles.key));
      try {
        // What the old code left behind: its own key, and a hostile plan's key on a second line of the .pub.
        await deployer.exec(`rm -f ${DEPLOYER_KEY} ${DEPLOYER_KEY}.pub /tmp/atk /tmp/atk.pub && mkdir -p .ssh && ssh-keygen -q -t ed25519 -N '' -C 'cp-installer@x' -f ${DEPLOYER_KEY} && ssh-keygen -q -t ed25519 -N '' -C attacker -f /tmp/atk && cat /tmp/atk.pub >> ${DEPLOYER_KEY}.pub`);
        const before = (await node.exec('cat .ssh/authorized_keys')).stdout;
        const outputs = new MemoryOutputs();
        const e = await deployerKeyStep(plan, plan.hosts[0]!, []).run(context(deployer, plan, outputs)).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(StepError);
        expect((e as StepError).error).toMatchObject({ key: 'install.deployer-key.stale', params: { lines: 2 } });
        expect(outputs.get('deployerPublicKey')).toBeUndefined();
        // node-keys has nothing it may append.
        await expect(nodeKeysStep(plan.hosts.slice(1)).run(context(node, plan, outputs, 'node'))).rejects.toThrow();
        expect((await node.exec('cat .ssh/authorized_keys')).stdout).toBe(before);
        expect((await node.exec('grep -c attacker .ssh/authorized_keys || true')).stdout.trim()).toBe('0');
      } finally {
        await deployer.exec(`rm -f ${DEPLOYER_KEY} ${DEPLOYER_KEY}.pub /tmp/atk /tmp/atk.pub`);
        await deployer.close();
        await node.close();
      }
    }, 30_000);

    it('a fresh deployer: the key is made, verified against the private key, and exactly that line reaches the node', async () => {
      const plan = keyPlan();
      const deployer = await connector(th).connect(target(th, 1, profiles.key));
      const node = await connector(th).connect(target(th, 2, profiles.key));
      try {
        await deployer.exec(`rm -f ${DEPLOYER_KEY} ${DEPLOYER_KEY}.pub`);
        const outputs = new MemoryOutputs();
        await deployerKeyStep(plan, plan.hosts[0]!, []).run(context(deployer, plan, outputs));
        const line = outputs.get<string>('deployerPublicKey')!;
        const derived = (await deployer.exec(`ssh-keygen -y -f ${DEPLOYER_KEY}`)).stdout.trim().split(' ').slice(0, 2).join(' ');
        expect(line).toBe(`${derived} cp-installer@sec-it`);
        expect((await deployer.exec(`cat ${DEPLOYER_KEY}.pub`)).stdout.trim().split('\n')).toHaveLength(1);
        await nodeKeysStep(plan.hosts.slice(1)).run(context(node, plan, outputs, 'node'));
        await nodeKeysStep(plan.hosts.slice(1)).run(context(node, plan, outputs, 'node'));
        const keys = (await node.exec('cat .ssh/authorized_keys')).stdout.split('\n');
        expect(keys.filter((l) => l === line)).toHaveLength(1);
        await node.exec(`grep -vxF ${JSON.stringify(line).replace(/"/g, "'")} .ssh/authorized_keys > .ssh/ak.new; mv .ssh/ak.new .ssh/authorized_keys`);
      } finally {
        await deployer.exec(`rm -f ${DEPLOYER_KEY} ${DEPLOYER_KEY}.pub`);
        await deployer.close();
        await node.close();
      }
    }, 30_000);
  });
});
