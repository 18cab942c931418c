// By hand: `npm run hosts:up -- 5 [--id N] [--sudo password,none,...]` starts hosts that outlive this
// process; `npm run hosts:down [-- ID]` takes them down (state in /tmp/cp-test-hosts).
import { canRunTestHosts, startTestHosts, stopAll, type HostVariant } from './harness.js';

function usage(): never {
  process.stderr.write('usage: cli.ts up N [--id ID] [--sudo MODE,MODE,...]   |   cli.ts down [ID]\n');
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === 'up') {
    const count = Number(rest[0]);
    if (!Number.isInteger(count) || count < 1) usage();
    const idAt = rest.indexOf('--id');
    const id = idAt >= 0 ? Number(rest[idAt + 1]) : undefined;
    const sudoAt = rest.indexOf('--sudo');
    const sudo = sudoAt >= 0 ? (rest[sudoAt + 1] ?? '').split(',') : [];
    const can = canRunTestHosts();
    if (!can.ok) throw new Error(can.reason);
    const t0 = Date.now();
    const th = await startTestHosts({
      count,
      id,
      persistent: true,
      hosts: sudo.map((s) => (s ? { sudo: s as HostVariant['sudo'] } : {})),
    });
    const out = process.stdout;
    out.write(`test hosts id ${th.id} up in ${Date.now() - t0} ms (bridge cpt${th.id}, ${th.bridgeAddress})\n`);
    out.write(`user ${th.user}  password ${th.password}\n`);
    out.write(`key ${th.keyPath}\nkey with passphrase ${th.keyPassphrasePath} (passphrase ${th.keyPassphrase})\n`);
    out.write(`known_hosts ${th.knownHostsFile}\n`);
    for (const h of th.hosts) out.write(`  ${h.name}\t${h.address}\tsudo=${h.variant.sudo}\t${h.hostKeyFingerprint}\n`);
    out.write(`ssh -i ${th.keyPath} -o UserKnownHostsFile=${th.knownHostsFile} ${th.user}@${th.hosts[0]!.address}\n`);
    out.write(`take down: npm run hosts:down -- ${th.id}\n`);
    return;
  }
  if (cmd === 'down') {
    const only = rest[0] !== undefined ? Number(rest[0]) : undefined;
    const done = stopAll(only === undefined ? undefined : (s) => s.id === only);
    process.stdout.write(done.length ? `took down ${done.map((i) => `cpt${i}`).join(', ')}\n` : 'nothing to take down\n');
    return;
  }
  usage();
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
