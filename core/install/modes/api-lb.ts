// The HA API load balancer on the plan's `lb` hosts, before Kubespray: keepalived holding the VIP and HAProxy
// forwarding <VIP>:6443 to the control planes, as the platform guide's §2.1.7.2 sets them up by hand. Both
// configuration files are checked by the tools themselves (`keepalived -t`, `haproxy -c`) as new files beside
// the live ones and only then moved into place, so a check that fails leaves the running setup as it was and
// stops the step naming the host and the tool's own words.
import { msg } from '../../common/messages.js';
import { shellJoin, shq } from '../../common/quote.js';
import { hostsWithRole, innerAddress, type Plan } from '../../plan/schema.js';
import { StepError, type Step } from '../step.js';

export const HAPROXY_CFG = '/etc/haproxy/haproxy.cfg';
export const KEEPALIVED_CONF = '/etc/keepalived/keepalived.conf';
export const LB_SYSCTL = '/etc/sysctl.d/90-cp-installer-lb.conf';
const BEGIN = '# BEGIN cp-installer kubernetes-apiserver';
const END = '# END cp-installer kubernetes-apiserver';

/** HAProxy's listener for the API servers, as the guide's §2.1.7.2 appends it to haproxy.cfg. */
export function haproxyApiBlock(vip: string, masters: Array<{ name: string; address: string }>): string {
  return [
    BEGIN,
    'listen kubernetes-apiserver-https',
    `  bind ${vip}:6443`,
    '  mode tcp',
    '  option log-health-checks',
    '  timeout client 3h',
    '  timeout server 3h',
    ...masters.map((m) => `  server ${m.name} ${m.address}:6443 check check-ssl verify none inter 10000`),
    '  balance roundrobin',
    END,
    '',
  ].join('\n');
}

/** keepalived.conf as the guide's §2.1.7.2 writes it: the first load balancer MASTER, the others BACKUP. */
export function keepalivedConf(vip: string, iface: string, index: number): string {
  return [
    'vrrp_instance VI_1 {',
    `  state ${index === 0 ? 'MASTER' : 'BACKUP'}`,
    `  interface ${iface}`,
    '  virtual_router_id 51',
    `  priority ${110 - index * 10}`,
    '  advert_int 1',
    '  authentication {',
    '    auth_type PASS',
    '    auth_pass 1111',
    '  }',
    '  virtual_ipaddress {',
    `    ${vip}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Prints the interface keepalived puts the VIP on: the one holding it when the VIP is the host's own address
 * (the guide's single-balancer test setup, where `ip route get` would answer `lo`), else the one the route to
 * it leaves by.
 */
export function vipInterfaceCommand(vip: string): string {
  const own = `ip -o -4 addr show | awk -v a=${shq(`${vip}/`)} 'index($4, a) == 1 { print $2; exit }'`;
  const route = `ip -o -4 route get ${shq(vip)} | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p'`;
  return `i=$(${own}); if test -n "$i"; then echo "$i"; else ${route}; fi`;
}

/** haproxy.cfg with our block (any earlier one removed, the rest kept) written as `<cfg>.cp-installer-new`. */
export function haproxyCandidateCommand(blockFile: string): string {
  const next = `${HAPROXY_CFG}.cp-installer-new`;
  return [
    `touch ${HAPROXY_CFG}`,
    `sed '/^${BEGIN}$/,/^${END}$/d' ${HAPROXY_CFG} > ${shq(next)}`,
    `cat ${shq(blockFile)} >> ${shq(next)}`,
  ].join(' && ');
}

/** The steps need the VIP as an IPv4 address (keepalived holds it; HAProxy binds it). */
export function hasApiLb(plan: Plan): boolean {
  const vip = plan.cluster.loadBalancerDomain;
  return hostsWithRole(plan, 'lb').length > 0 && !!vip && /^\d+\.\d+\.\d+\.\d+$/.test(vip);
}

export function apiLbStep(plan: Plan, workspaceDir: string): Step | undefined {
  if (!hasApiLb(plan)) return undefined;
  const lbs = hostsWithRole(plan, 'lb');
  const vip = plan.cluster.loadBalancerDomain!;
  const masters = hostsWithRole(plan, 'control-plane')
    .filter((h) => !h.roles.includes('edge'))
    .map((h) => ({ name: h.name, address: innerAddress(h) }));
  return {
    id: 'api-lb',
    title: msg('step.api-lb'),
    hosts: lbs.map((h) => h.name),
    needs: [],
    perHost: true,
    retry: { attempts: 2, delayMs: 5000 },
    async run(ctx) {
      const h = ctx.host!;
      const index = lbs.findIndex((l) => l.name === h.name);
      const dev = await ctx.exec(h.name, vipInterfaceCommand(vip), { quiet: true, describe: `the interface for ${vip}`, dryRunResult: { stdout: 'eth0\n' } });
      const iface = dev.stdout.trim().split('\n')[0] || 'eth0';
      await ctx.exec(
        h.name,
        [
          `{ dpkg -s keepalived haproxy >/dev/null 2>&1 || { ${shellJoin(['apt-get', 'update'])} && ${shellJoin(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', 'keepalived', 'haproxy'])}; }; }`,
          'mkdir -p /etc/keepalived /etc/haproxy /etc/sysctl.d',
          `printf '%s\\n' net.ipv4.ip_nonlocal_bind=1 net.ipv4.ip_forward=1 > ${LB_SYSCTL}`,
          `sysctl -p ${LB_SYSCTL}`,
        ].join(' && '),
        { sudo: true, timeoutMs: 15 * 60_000, describe: 'keepalived and haproxy installed; ip_nonlocal_bind, ip_forward' },
      );
      const blockFile = `${workspaceDir}/haproxy-api.cfg`;
      await ctx.exec(h.name, shellJoin(['mkdir', '-p', workspaceDir]), { quiet: true });
      await ctx.upload(h.name, haproxyApiBlock(vip, masters), blockFile, { mode: 0o644 });
      await ctx.upload(h.name, keepalivedConf(vip, iface, index), `${KEEPALIVED_CONF}.cp-installer-new`, { sudo: true, mode: 0o644 });
      await ctx.exec(h.name, haproxyCandidateCommand(blockFile), { sudo: true, describe: `${HAPROXY_CFG} with the API listener ${vip}:6443 → ${masters.map((x) => x.address).join(', ')}` });

      // Each file checked by its own tool before it replaces the live one.
      const checks: Array<[string, string, string]> = [
        ['keepalived', KEEPALIVED_CONF, shellJoin(['keepalived', '-t', '-f', `${KEEPALIVED_CONF}.cp-installer-new`])],
        ['haproxy', HAPROXY_CFG, shellJoin(['haproxy', '-c', '-f', `${HAPROXY_CFG}.cp-installer-new`])],
      ];
      for (const [tool, file, check] of checks) {
        const r = await ctx.exec(h.name, `${check} 2>&1`, { sudo: true, check: false, describe: `check the new ${file}`, dryRunResult: { stdout: '' } });
        if (r.code !== 0) {
          const output = ctx.redact(r.stdout.trim().split('\n').slice(-8).join('\n'));
          // The same file fails the same check again: no retry, the site fixes it and resumes.
          throw new StepError(msg('install.lb-config-invalid', { host: h.name, tool, file, output }), { host: h.name, message: `${tool}: ${output}` }, true);
        }
      }
      await ctx.exec(
        h.name,
        [
          shellJoin(['mv', `${KEEPALIVED_CONF}.cp-installer-new`, KEEPALIVED_CONF]),
          shellJoin(['mv', `${HAPROXY_CFG}.cp-installer-new`, HAPROXY_CFG]),
          'systemctl enable keepalived haproxy',
          'systemctl restart keepalived haproxy',
        ].join(' && '),
        { sudo: true, describe: `keepalived VIP ${vip} on ${iface} (${index === 0 ? 'MASTER' : 'BACKUP'}); haproxy restarted` },
      );
    },
  };
}
