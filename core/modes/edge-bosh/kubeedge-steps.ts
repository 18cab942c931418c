// The 2021 edge guide's 2.6–2.7 as two steps between the joins and kube-flannel-edge, done the way an air-gapped
// site needs them (nothing downloaded at run time):
//   cloudcore-config (master): cloudcore.yaml with dynamicController and cloudStream (kubeedge-config.ts); the
//     stream certificates `certgen.sh stream` would make, made here with openssl from the cluster CA (Kubespray's
//     /etc/kubernetes/ssl, the guide's /etc/kubernetes/pki links to it) and kept across reruns while still valid
//     for cloudcore's addresses; the DNAT of the kubelet port `kubectl logs` asks (10350) to cloudStream, added
//     once; then cloudcore restarted as the guide does (a process, not a service) and its ports waited for.
//   edgecore-config (each edge node): the CNI plugins v0.9.1 from the bundle into /opt/cni/bin; edgecore.yaml
//     (CNI, Kubespray's cluster DNS, metaServer — without it kube-flannel-edge never reaches the API —, no
//     edgeMesh, edgeStream to cloudcore's tunnel); CHECK_EDGECORE_ENVIRONMENT=false in edgecore.service; then
//     daemon-reload and a restart of edgecore, only when something changed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../../common/async.js';
import { msg } from '../../common/messages.js';
import { shellJoin, shq } from '../../common/quote.js';
import type { Host, Plan } from '../../plan/schema.js';
import type { Step, StepContext } from '../../install/step.js';
import { filesRepoPath } from '../../bundle/manifest.js';
import { archOf } from '../../tools/hostprep/plan.js';
import { probeDown, tcpProbeScript, type ProbeTarget } from '../caas/probe.js';
import { cloudcoreTargets } from '../edge/cloudcore-process.js';
import { fail } from '../edge/exec.js';
import { advertiseAddresses, type EdgeRunState } from '../edge/state.js';
import {
  CLOUDCORE_YAML,
  cloudcoreYamlDone,
  clusterDnsOf,
  CNI_BIN_DIR,
  CNI_PLUGINS_NEEDED,
  CNI_PLUGINS_VERSION,
  cniPluginsUrl,
  editCloudcoreYaml,
  editEdgecoreService,
  editEdgecoreYaml,
  EDGECORE_SERVICE,
  EDGECORE_SYSTEMD_UNIT,
  EDGECORE_YAML,
  edgecoreServiceDone,
  edgecoreYamlDone,
  KUBELET_LOG_PORT,
  STREAM_CA,
  STREAM_CERT,
  STREAM_KEY,
  STREAM_PORT,
  TUNNEL_PORT,
  type EdgecoreSettings,
} from './kubeedge-config.js';

/** Kubespray's cluster CA (kube_cert_dir of the v1.0.4 fork: /etc/kubernetes/ssl). */
export const CLUSTER_CA = '/etc/kubernetes/ssl/ca.crt';
export const CLUSTER_CA_KEY = '/etc/kubernetes/ssl/ca.key';
export const CLOUDCORE_BIN = '/usr/local/bin/cloudcore';
export const CLOUDCORE_LOG = '/var/log/kubeedge/cloudcore.log';
/** Kubespray's dns_domain (cluster_name) in the release's inventory. */
export const CLUSTER_DOMAIN = 'cluster.local';

/** The guide's DNAT (2.7), as iptables takes it after -A / -C. */
export function logsDnatRule(cloudcoreAddress: string): string[] {
  return ['OUTPUT', '-p', 'tcp', '--dport', String(KUBELET_LOG_PORT), '-j', 'DNAT', '--to', `${cloudcoreAddress}:${STREAM_PORT}`];
}

/** `iptables -C` first: a rerun never adds the rule twice. */
export function logsDnatScript(cloudcoreAddress: string): string {
  const rule = logsDnatRule(cloudcoreAddress);
  return `${shellJoin(['iptables', '-t', 'nat', '-C', ...rule])} 2>/dev/null && echo present || { ${shellJoin(['iptables', '-t', 'nat', '-A', ...rule])} && echo added; }`;
}

/**
 * `certgen.sh stream` offline: streamCA is the cluster CA; stream.crt/key signed by it for cloudcore's addresses
 * (the guide's CLOUDCOREIPS). A certificate still signed by that CA and naming every address is kept; prints
 * `kept` or `made`, and exits 3 when the cluster CA is not there.
 */
export function streamCertScript(addresses: string[]): string {
  const san = addresses.map((a, i) => `IP.${i + 1}:${a}`).join(',');
  const hasIps = addresses.map((a) => `grep -qF ${shq(`IP Address:${a}`)} "$t"`).join(' && ');
  return [
    'set -e',
    `ca=${shq(CLUSTER_CA)}; cakey=${shq(CLUSTER_CA_KEY)}; sca=${shq(STREAM_CA)}; crt=${shq(STREAM_CERT)}; key=${shq(STREAM_KEY)}`,
    '[ -r "$ca" ] && [ -r "$cakey" ] || { echo "no cluster CA at $ca / $cakey" >&2; exit 3; }',
    'mkdir -p "$(dirname "$sca")" "$(dirname "$crt")"',
    'cmp -s "$ca" "$sca" || cp "$ca" "$sca"',
    't=$(mktemp); trap \'rm -f "$t" "$crt.csr" "$crt.ext"\' EXIT',
    `if [ -s "$crt" ] && [ -s "$key" ] && openssl verify -CAfile "$sca" "$crt" >/dev/null 2>&1 && openssl x509 -in "$crt" -noout -text >"$t" && ${hasIps}; then chmod 600 "$key"; echo kept; exit 0; fi`,
    'umask 077',
    'openssl genrsa -out "$key" 2048 2>/dev/null',
    'openssl req -new -key "$key" -subj /C=CN/ST=Zhejiang/L=Hangzhou/O=KubeEdge/CN=kubeedge.io -out "$crt.csr"',
    `printf 'subjectAltName = %s\\n' ${shq(san)} > "$crt.ext"`,
    'openssl x509 -req -in "$crt.csr" -CA "$ca" -CAkey "$cakey" -CAcreateserial -CAserial "$(dirname "$sca")/streamCA.srl" -out "$crt" -days 5000 -sha256 -extfile "$crt.ext" 2>/dev/null',
    'chmod 600 "$key"; chmod 644 "$crt"',
    'echo made',
  ].join('\n');
}

/**
 * The guide's `pkill cloudcore; nohup /usr/local/bin/cloudcore > /var/log/kubeedge/cloudcore.log 2>&1 &`, with the
 * stop aimed: only a process named cloudcore that listens on cloudHub's port of this host, waited for until gone.
 */
export function restartCloudcoreScript(): string {
  return [
    // A site that made cloudcore a service (keadm's cloudcore.service) restarts it as one: a killed process
    // would come back beside ours.
    'if systemctl is-active --quiet cloudcore 2>/dev/null; then systemctl restart cloudcore && echo restarted; exit $?; fi',
    `pids=$(ss -Hltnp 'sport = :10000' 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u)`,
    'for p in $pids; do [ "$(cat /proc/$p/comm 2>/dev/null)" = cloudcore ] && kill "$p" 2>/dev/null; done',
    'for i in $(seq 1 50); do alive=; for p in $pids; do [ "$(cat /proc/$p/comm 2>/dev/null)" = cloudcore ] && alive=1; done; [ -z "$alive" ] && break; sleep 0.2; done',
    'for p in $pids; do [ "$(cat /proc/$p/comm 2>/dev/null)" = cloudcore ] && kill -9 "$p" 2>/dev/null; done',
    `mkdir -p ${shq(CLOUDCORE_LOG.replace(/\/[^/]+$/, ''))}`,
    `setsid nohup ${shq(CLOUDCORE_BIN)} </dev/null >${shq(CLOUDCORE_LOG)} 2>&1 &`,
    'echo restarted',
  ].join('\n');
}

/** A root-owned file's text, or undefined when it is not there. */
async function readRoot(ctx: StepContext, host: string, path: string, sample = ''): Promise<string | undefined> {
  const r = await ctx.exec(host, `test -f ${shq(path)} && cat ${shq(path)}`, { sudo: true, quiet: true, check: false, dryRunResult: { stdout: sample, code: 0 } });
  return r.code === 0 ? r.stdout : undefined;
}

function streamTargets(address: string): ProbeTarget[] {
  return [
    { name: 'cloudstream', host: address, port: STREAM_PORT },
    { name: 'tunnel', host: address, port: TUNNEL_PORT },
  ];
}

export function cloudcoreConfigStep(plan: Plan, state: EdgeRunState, needs: string[], waitMs = 60_000): Step {
  const cloud = state.cloud.name;
  const advertise = advertiseAddresses(plan, state.cloud);
  const address = advertise[0]!;
  const targets = [...cloudcoreTargets(address), ...streamTargets(address)];
  const down = async (ctx: StepContext) => {
    const r = await ctx.exec(cloud, tcpProbeScript(targets, 3), { quiet: true, check: false, dryRunResult: { stdout: targets.map((t) => `ok ${t.name}`).join('\n') } });
    return probeDown(targets, r.stdout);
  };
  const readYaml = async (ctx: StepContext) => {
    const text = await readRoot(ctx, cloud, CLOUDCORE_YAML);
    if (text === undefined)
      fail(msg('mode.edgeBosh.noCloudcoreYaml', { host: cloud, path: CLOUDCORE_YAML }), { host: cloud, task: `read ${CLOUDCORE_YAML}`, message: `${CLOUDCORE_YAML} not found` }, true);
    return text;
  };
  return {
    id: 'cloudcore-config',
    title: msg('mode.edgeBosh.step.cloudcoreConfig'),
    hosts: [cloud],
    needs,
    async isDone(ctx) {
      const text = await readRoot(ctx, cloud, CLOUDCORE_YAML);
      if (text === undefined || !cloudcoreYamlDone(text)) return false;
      const rule = await ctx.exec(cloud, shellJoin(['iptables', '-t', 'nat', '-C', ...logsDnatRule(address)]), { sudo: true, quiet: true, check: false });
      if (rule.code !== 0) return false;
      const certs = await ctx.exec(cloud, `test -s ${shq(STREAM_CERT)} && test -s ${shq(STREAM_KEY)} && test -s ${shq(STREAM_CA)}`, { sudo: true, quiet: true, check: false });
      return certs.code === 0 && (await down(ctx)).length === 0;
    },
    async run(ctx) {
      if (ctx.dryRun) {
        ctx.log(`${CLOUDCORE_YAML} on ${cloud}: modules.dynamicController.enable true, modules.cloudStream enabled (streamPort ${STREAM_PORT}, tunnelPort ${TUNNEL_PORT}, ${STREAM_CERT})`);
      }
      const original = ctx.dryRun ? '' : await readYaml(ctx);
      // The stream certificates first: cloudcore with cloudStream on does not start without them.
      const certs = await ctx.exec(cloud, streamCertScript(advertise), { sudo: true, check: false, describe: `stream certificates (certgen.sh stream, offline): ${STREAM_CA} = ${CLUSTER_CA}, ${STREAM_CERT} for ${advertise.join(', ')}`, dryRunResult: { stdout: 'made' } });
      if (certs.code === 3)
        fail(msg('mode.edgeBosh.noClusterCa', { host: cloud, ca: CLUSTER_CA, key: CLUSTER_CA_KEY }), { host: cloud, task: 'stream certificates', message: certs.stderr.trim() || `no ${CLUSTER_CA}` }, true);
      if (certs.code !== 0) fail(msg('mode.edgeBosh.streamCertFailed', { host: cloud }), { host: cloud, task: 'stream certificates', message: certs.stderr.trim() || `exit ${certs.code}` });
      const edited = ctx.dryRun ? original : editCloudcoreYaml(original);
      const changed = edited !== original;
      if (changed) await ctx.upload(cloud, edited, CLOUDCORE_YAML, { sudo: true, mode: 0o644, describe: `${CLOUDCORE_YAML}: dynamicController and cloudStream on` });
      const dnat = await ctx.exec(cloud, logsDnatScript(address), { sudo: true, describe: `iptables -t nat -A ${logsDnatRule(address).join(' ')} (when -C finds it missing)`, dryRunResult: { stdout: 'added' } });
      ctx.log(`DNAT :${KUBELET_LOG_PORT} → ${address}:${STREAM_PORT} ${dnat.stdout.trim() || 'added'}; stream certificate ${certs.stdout.trim()}; ${CLOUDCORE_YAML} ${changed ? 'edited' : 'unchanged'}`);
      if (ctx.dryRun) {
        await ctx.exec(cloud, restartCloudcoreScript(), { sudo: true, describe: `pkill cloudcore; nohup ${CLOUDCORE_BIN} > ${CLOUDCORE_LOG} 2>&1 &` });
        return;
      }
      if (!changed && certs.stdout.trim() === 'kept' && (await down(ctx)).length === 0) {
        ctx.progress(1, 'cloudcore already configured');
        return;
      }
      await ctx.exec(cloud, restartCloudcoreScript(), { sudo: true, describe: `pkill cloudcore; nohup ${CLOUDCORE_BIN} > ${CLOUDCORE_LOG} 2>&1 &` });
      const deadline = Date.now() + waitMs;
      for (;;) {
        const closed = await down(ctx);
        if (closed.length === 0) break;
        if (Date.now() > deadline || ctx.signal.aborted)
          fail(msg('mode.edgeBosh.cloudcoreRestartDown', { host: cloud, endpoints: closed.map((t) => `${t.host}:${t.port}`).join(', '), log: CLOUDCORE_LOG }), {
            host: cloud,
            task: 'restart cloudcore',
            message: `cloudcore not answering on ${closed.map((t) => `${t.host}:${t.port}`).join(', ')}`,
          });
        await sleep(500, ctx.signal);
      }
      ctx.log(`cloudcore restarted; answering on ${targets.map((t) => `${t.host}:${t.port}`).join(', ')}`);
      ctx.progress(1, 'cloudcore restarted');
    },
  };
}

function pluginsScript(): string {
  return CNI_PLUGINS_NEEDED.map((p) => `test -x ${shq(`${CNI_BIN_DIR}/${p}`)} || echo ${shq(p)}`).join('; ');
}

export function edgecoreSettings(plan: Plan, state: EdgeRunState): EdgecoreSettings {
  return { clusterDNS: clusterDnsOf(plan.cluster.serviceCidr), clusterDomain: CLUSTER_DOMAIN, cloudcoreAddress: advertiseAddresses(plan, state.cloud)[0]! };
}

export function edgecoreConfigStep(plan: Plan, state: EdgeRunState, edges: Host[], needs: string[]): Step {
  const settings = edgecoreSettings(plan, state);
  const missingPlugins = async (ctx: StepContext, host: string) => {
    // As root, who runs edged and its CNI calls.
    const r = await ctx.exec(host, pluginsScript(), { sudo: true, quiet: true, check: false, dryRunResult: { stdout: CNI_PLUGINS_NEEDED.join('\n') } });
    return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  };
  return {
    id: 'edgecore-config',
    title: msg('mode.edgeBosh.step.edgecoreConfig'),
    hosts: edges.map((h) => h.name),
    needs,
    perHost: true,
    async isDone(ctx) {
      const host = ctx.host!.name;
      const yaml = await readRoot(ctx, host, EDGECORE_YAML);
      const unit = await readRoot(ctx, host, EDGECORE_SERVICE);
      return yaml !== undefined && unit !== undefined && edgecoreYamlDone(yaml, settings) && edgecoreServiceDone(unit) && (await missingPlugins(ctx, host)).length === 0;
    },
    async run(ctx) {
      const host = ctx.host!.name;
      let restart = false;
      // CNI plugins (guide 2.6's wget, from the bundle instead).
      const missing = await missingPlugins(ctx, host);
      if (missing.length) {
        const machine = (await ctx.exec(host, 'uname -m', { quiet: true, dryRunResult: { stdout: 'x86_64' } })).stdout;
        const arch = archOf(machine);
        if (!arch) fail(msg('mode.edgeBosh.cniArch', { host, machine: machine.trim() }), { host, task: 'CNI plugins', message: `no CNI plugins for ${machine.trim()}` }, true);
        const rel = filesRepoPath(cniPluginsUrl(arch));
        const local = plan.bundle ? join(plan.bundle.path, rel) : undefined;
        if (!local || (!ctx.dryRun && !existsSync(local)))
          fail(msg('mode.edgeBosh.cniMissing', { host, file: rel, version: CNI_PLUGINS_VERSION, dir: CNI_BIN_DIR }), { host, task: 'CNI plugins', message: `${rel} not in the bundle` }, true);
        const staged = `/var/tmp/cp-installer-cni-plugins-${arch}-v${CNI_PLUGINS_VERSION}.tgz`;
        await ctx.uploadFile(host, local, staged, { sudo: true, mode: 0o644, describe: `CNI plugins v${CNI_PLUGINS_VERSION} (${arch}) from the bundle` });
        await ctx.exec(host, `mkdir -p ${shq(CNI_BIN_DIR)} && tar -xzf ${shq(staged)} -C ${shq(CNI_BIN_DIR)} && rm -f ${shq(staged)}`, { sudo: true, describe: `tar xf cni-plugins-linux-${arch}-v${CNI_PLUGINS_VERSION}.tgz -C ${CNI_BIN_DIR}` });
        const still = ctx.dryRun ? [] : await missingPlugins(ctx, host);
        if (still.length) fail(msg('mode.edgeBosh.cniIncomplete', { host, plugins: still.join(', '), dir: CNI_BIN_DIR }), { host, task: 'CNI plugins', message: `missing ${still.join(', ')}` }, true);
        restart = true;
      }
      // edgecore.yaml (2.6, 2.7).
      const yaml = await readRoot(ctx, host, EDGECORE_YAML);
      if (yaml === undefined && !ctx.dryRun) fail(msg('mode.edgeBosh.noEdgecoreYaml', { host, path: EDGECORE_YAML }), { host, task: `read ${EDGECORE_YAML}`, message: `${EDGECORE_YAML} not found` }, true);
      const editedYaml = ctx.dryRun ? '' : editEdgecoreYaml(yaml!, settings);
      if (ctx.dryRun || editedYaml !== yaml) {
        await ctx.upload(host, editedYaml, EDGECORE_YAML, { sudo: true, mode: 0o644, describe: `${EDGECORE_YAML}: networkPluginName cni, clusterDNS ${settings.clusterDNS}, clusterDomain ${settings.clusterDomain}, metaServer on, edgeMesh off, edgeStream to ${settings.cloudcoreAddress}:${TUNNEL_PORT}` });
        restart = true;
      }
      // edgecore.service (2.7): keadm links the guide's file into systemd's folder; both get the line.
      const unit = await readRoot(ctx, host, EDGECORE_SERVICE);
      const systemdUnit = await readRoot(ctx, host, EDGECORE_SYSTEMD_UNIT);
      if (unit === undefined && systemdUnit === undefined && !ctx.dryRun)
        fail(msg('mode.edgeBosh.noEdgecoreService', { host, path: EDGECORE_SERVICE }), { host, task: `read ${EDGECORE_SERVICE}`, message: `${EDGECORE_SERVICE} not found` }, true);
      for (const [path, text] of [[EDGECORE_SERVICE, unit], [EDGECORE_SYSTEMD_UNIT, systemdUnit]] as const) {
        if (text === undefined || ctx.dryRun) continue;
        const edited = editEdgecoreService(text);
        if (edited === text) continue;
        await ctx.upload(host, edited, path, { sudo: true, mode: 0o644, describe: `${path}: Environment="CHECK_EDGECORE_ENVIRONMENT=false"` });
        restart = true;
      }
      if (ctx.dryRun) ctx.log(`${EDGECORE_SERVICE} on ${host}: [Service] Environment="CHECK_EDGECORE_ENVIRONMENT=false"`);
      if (!restart && !ctx.dryRun) {
        ctx.progress(1, 'edgecore already configured');
        return;
      }
      const r = await ctx.exec(host, 'systemctl daemon-reload && systemctl restart edgecore.service', { sudo: true, check: false, describe: 'systemctl daemon-reload && systemctl restart edgecore.service' });
      if (r.code !== 0) fail(msg('mode.edgeBosh.edgecoreRestart', { host }), { host, task: 'systemctl restart edgecore', message: r.stderr.trim() || `exit ${r.code}` });
      ctx.progress(1, 'edgecore restarted');
    },
  };
}
