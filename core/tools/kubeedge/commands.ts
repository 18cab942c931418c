// keadm command lines for both install models (TOOLS.md §2.1–2.3):
// - KubeEdge ≥ 1.11: `keadm init` installs the Helm chart embedded in keadm; `keadm join` pulls
//   kubeedge/installation-package and copies edgecore out of it. Versions are image tags (`v1.20.0`).
// - KubeEdge < 1.11 (the 2021 platform ran 1.4 / 1.6): keadm downloads release tarballs, `--master` names the
//   API server, versions are bare (`1.4.0`), and a CRI runtime needs `--runtimetype remote`.
//
// About the token: keadm takes the join token ONLY as `--token` on its command line (join_others.go: no
// environment variable, no file flag), so while keadm runs the token is visible in that host's process
// list. What the product can do, it does: the token travels to the host on stdin, never in the SSH exec
// request, and is read into a shell variable there, so it is not in our command line, our logs, the journal
// or the dry-run listing. Callers register it with ctx.addSecret so any echo of it is masked.
import { shellJoin, shq } from '../../common/quote.js';
import { isLabelKey, isLabelValue } from '../../plan/charset.js';
import { offlineRegistry, type Plan } from '../../plan/schema.js';
import { CRI_SOCKETS, type Runtime } from '../kubeadm/config.js';
import { atLeastMinor as atLeast } from '../../common/version.js';
import { withoutV, withV } from '../kubeadm/version.js';
import { kubeedgeImages } from '../../bundle/manifest.js';
import { siteRef } from '../registry/mirrors.js';

export const CLOUDHUB_PORT = 10000;
/** cloudcore ports edge nodes must reach: websocket, quic, https (certs), stream, tunnel. */
export const CLOUDCORE_PORTS = [10000, 10001, 10002, 10003, 10004] as const;

export type KeadmGeneration = 'helm' | 'legacy';

export function keadmGeneration(kubeedge: string): KeadmGeneration {
  return atLeast(kubeedge, '1.11') ? 'helm' : 'legacy';
}

/** The version argument as that keadm expects it. */
export function keadmVersionArg(kubeedge: string): string {
  return keadmGeneration(kubeedge) === 'helm' ? withV(kubeedge) : withoutV(kubeedge);
}

/**
 * keadm's `--image-repository` on a site with its own registry (the plan's, or the deployer's serving the
 * bundle): KubeEdge's images keep their upstream path there (docker.io/kubeedge/cloudcore → <registry>/kubeedge/cloudcore).
 */
export function kubeedgeImageRepository(plan: Plan): string | undefined {
  const r = offlineRegistry(plan);
  return r ? `${r.address}/kubeedge` : undefined;
}

export interface KeadmInitOptions {
  kubeedgeVersion: string;
  /** cloudcore's advertised addresses (become the SANs of its certificate): the node it runs on, or its LB. */
  advertiseAddresses: string[];
  kubeconfig: string;
  /** Private registry (air-gapped): replaces the kubeedge/ image org. */
  imageRepository?: string;
  /** Pin cloudcore to this node: it uses the host network, so the advertised address must be this node's. */
  pinToNode?: string;
  /** Let cloudcore and iptables-manager run on a tainted control plane (edge mode has no cloud worker). */
  tolerateControlPlane?: boolean;
  /** legacy only: the API server URL (`https://IP:6443`). */
  master?: string;
  /** Extra Helm values, `key=value`. */
  sets?: string[];
}

/** The chart's MQTT broker in the site registry that `imageRepository` (`<registry>/kubeedge`) is on. */
function mosquittoRepository(kubeedge: string, imageRepository: string): string {
  const ref = kubeedgeImages(kubeedge).find((i) => /\/eclipse-mosquitto:/.test(i.ref))!.ref;
  return siteRef(ref.slice(0, ref.lastIndexOf(':')), imageRepository.split('/')[0]!);
}

/** Helm keys escape dots in map keys with a backslash. */
function helmKey(key: string): string {
  return key.replace(/\./g, '\\.');
}

export function keadmInit(o: KeadmInitOptions): string {
  const version = keadmVersionArg(o.kubeedgeVersion);
  if (keadmGeneration(o.kubeedgeVersion) === 'legacy') {
    const argv = ['keadm', 'init', `--advertise-address=${o.advertiseAddresses.join(',')}`, '--kubeedge-version', version, '--kube-config', o.kubeconfig];
    if (o.master) argv.push(`--master=${o.master}`);
    return shellJoin(argv);
  }
  const sets = ['cloudCore.modules.dynamicController.enable=true'];
  if (o.pinToNode) sets.push(`cloudCore.nodeSelector.${helmKey('kubernetes.io/hostname')}=${o.pinToNode}`);
  if (o.tolerateControlPlane) {
    for (const component of ['cloudCore', 'iptablesManager']) {
      sets.push(
        `${component}.tolerations[0].key=node-role.kubernetes.io/control-plane`,
        `${component}.tolerations[0].operator=Exists`,
        `${component}.tolerations[0].effect=NoSchedule`,
      );
    }
  }
  if (o.imageRepository) {
    const reg = o.imageRepository.replace(/\/$/, '');
    // --image-repository exists from keadm 1.17; before, the chart's image keys are set one by one.
    if (!atLeast(o.kubeedgeVersion, '1.17')) {
      sets.push(`cloudCore.image.repository=${reg}/cloudcore`, `iptablesManager.image.repository=${reg}/iptables-manager`);
    }
    // --image-repository does not cover the mosquitto DaemonSet the chart adds from 1.16; it keeps its
    // upstream path (docker.io/library/…) in the site registry, not the kubeedge/ org.
    if (atLeast(o.kubeedgeVersion, '1.16')) sets.push(`mosquitto.image.repository=${mosquittoRepository(o.kubeedgeVersion, reg)}`);
  }
  sets.push(...(o.sets ?? []));
  const argv = ['keadm', 'init', `--advertise-address=${o.advertiseAddresses.join(',')}`, '--kubeedge-version', version, '--kube-config', o.kubeconfig];
  if (o.imageRepository && atLeast(o.kubeedgeVersion, '1.17')) argv.push('--image-repository', o.imageRepository);
  for (const s of sets) argv.push('--set', s);
  return shellJoin(argv);
}

export function keadmGettoken(kubeconfig: string): string {
  return shellJoin(['keadm', 'gettoken', '--kube-config', kubeconfig]);
}

export interface KeadmJoinOptions {
  kubeedgeVersion: string;
  /** cloudcore's advertised address (or its LB); the port is cloudHub's websocket 10000. */
  cloudcoreAddress: string;
  cloudcorePort?: number;
  nodeName: string;
  /** `docker`: the 2021 release's edge nodes (legacy keadm's default runtime, so no runtime flags). */
  runtime: Runtime | 'docker';
  imageRepository?: string;
  labels?: Record<string, string>;
}

function hostPort(address: string, port: number): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The keadm join argv without the token (what logs and the dry run show). */
export function keadmJoinArgv(o: KeadmJoinOptions): string[] {
  const version = keadmVersionArg(o.kubeedgeVersion);
  const argv = ['keadm', 'join', '--cloudcore-ipport', hostPort(o.cloudcoreAddress, o.cloudcorePort ?? CLOUDHUB_PORT), '--kubeedge-version', version, '--edgenode-name', o.nodeName];
  if (keadmGeneration(o.kubeedgeVersion) === 'legacy') {
    if (o.runtime !== 'docker') argv.push('--runtimetype', 'remote', '--remote-runtime-endpoint', CRI_SOCKETS[o.runtime]);
    return argv;
  }
  if (o.runtime === 'docker') throw new Error(`KubeEdge ${o.kubeedgeVersion} joins through a CRI runtime (crio, containerd), not docker`);
  // Until 1.12 keadm defaulted to docker and needed `remote` spelled out for a CRI runtime.
  if (!atLeast(o.kubeedgeVersion, '1.13')) argv.push('--runtimetype', 'remote');
  argv.push('--remote-runtime-endpoint', CRI_SOCKETS[o.runtime], '--cgroupdriver', 'systemd');
  if (o.imageRepository) argv.push('--image-repository', o.imageRepository);
  const labels = keadmLabels(o.labels ?? {});
  if (labels) argv.push('--labels', labels);
  return argv;
}

/** A label keadm join cannot be given: keadm splits `--labels` on `,` and `=`, so it is refused, not escaped. */
export class LabelError extends Error {
  constructor(
    readonly key: string,
    readonly value: string,
  ) {
    super(`label ${JSON.stringify(key)}=${JSON.stringify(value)} is not a Kubernetes label (a comma or "=" would add another label)`);
    this.name = 'LabelError';
  }
}

/**
 * `--labels k=v,k2=v2`: keadm splits on `,` then on `=`, so a value with a comma adds a label of its own
 * (`a,node-role.kubernetes.io/control-plane=`). Only Kubernetes label keys and values pass (validation
 * refuses the others first); anything else throws rather than being escaped.
 */
export function keadmLabels(labels: Record<string, string>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!isLabelKey(k) || !isLabelValue(v)) throw new LabelError(k, v);
    parts.push(`${k}=${v}`);
  }
  return parts.join(',');
}

/**
 * The join as a shell command that reads the token from its stdin (send `token + "\n"` as ExecOptions.stdin,
 * after the sudo password if any) and then runs keadm with it. `$t` stays a shell variable in the command
 * text: the token itself never appears in it.
 */
export function keadmJoin(o: KeadmJoinOptions, before?: string): string {
  const join = `${shellJoin(keadmJoinArgv(o))} --token "$t"`;
  // `before` (e.g. cleaning up an earlier attempt) runs after the token is read, so it cannot eat stdin.
  return `IFS= read -r t && [ -n "$t" ] && ${before ? `{ ${before}; } && ` : ''}exec ${join}`;
}

/**
 * The edge side's reset. `keadm reset edge` exists from KubeEdge 1.17 (the reset split, kubeedge#5317) and is
 * the only form from 1.22. Between, bare `keadm reset` still runs but, on an edge node, also tears down
 * the cloud's Helm release through /root/.kube/config (TearDownKubeEdge), which an edge node lacks: it
 * fails after stopping edgecore and before cleaning /etc/kubeedge, so the join after it is refused. The
 * platform's roles use `keadm reset edge --force` with keadm 1.20 for that reason.
 */
export function keadmResetEdge(kubeedge: string): string {
  return atLeast(kubeedge, '1.17') ? shellJoin(['keadm', 'reset', 'edge', '--force']) : shellJoin(['keadm', 'reset', '--force']);
}

/**
 * Before a join: when an earlier attempt left its marker or /etc/kubeedge behind (keadm refuses to join
 * over it), reset the edge side first; then leave the marker for the next attempt.
 */
export function keadmJoinCleanup(kubeedge: string, marker: string): string {
  const dir = marker.replace(/\/[^/]*$/, '') || '/';
  return `if [ -e ${shq(marker)} ] || [ -n "$(ls -A /etc/kubeedge 2>/dev/null)" ]; then ${keadmResetEdge(kubeedge)} >/dev/null; fi; mkdir -p ${shq(dir)} && touch ${shq(marker)}`;
}
