// The facts worth a glance in a host's details, as [label key, text] rows.
import type { HostReport } from '../../core/api/types.js';

type Facts = NonNullable<HostReport['facts']>;

const gib = (kb: number) => `${(kb / 1024 / 1024).toFixed(1)} GiB`;

export function factRows(f: Facts): Array<[string, string]> {
  const rows: Array<[string, string | undefined]> = [
    ['hostname', f.hostname],
    ['os', f.os?.prettyName ?? [f.os?.id, f.os?.versionId].filter(Boolean).join(' ')],
    ['arch', f.arch],
    ['kernel', f.kernel],
    ['cpus', f.cpus?.toString()],
    ['memory', f.memoryKb !== undefined ? gib(f.memoryKb) : undefined],
    ['rootFree', f.disk?.rootFreeKb !== undefined ? gib(f.disk.rootFreeKb) : undefined],
    ['swap', f.swapKb !== undefined ? (f.swapKb ? gib(f.swapKb) : '0') : undefined],
    ['cgroup', f.cgroup ?? undefined],
    ['firewall', f.firewall ? (f.firewall.active ? `${f.firewall.kind ?? 'on'}` : 'off') : undefined],
    ['python3', f.python3 ?? undefined],
    ['addresses', f.interfaces?.flatMap((i) => i.addresses.map((a) => `${i.name} ${a}`)).join(', ')],
    ['ports', f.listening?.length ? f.listening.slice(0, 20).join(', ') + (f.listening.length > 20 ? ' …' : '') : undefined],
    ['sudo', f.sudo ? (f.sudo.ok ? 'ok' : f.sudo.needsPassword ? 'password' : 'no') : undefined],
  ];
  return rows.filter((r): r is [string, string] => !!r[1]);
}
