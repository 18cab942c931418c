// Every cluster node must pull from the BOSH private image repository behind HAProxy (`<HAProxy>:5001`),
// which serves plain HTTP: the runtime is told to trust it, the way the 2021 guides do it — Docker's
// daemon.json `insecure-registries` (the spray/edge guides, the release's Docker), CRI-O's
// `insecure_registries` and podman's registries.conf (the CaaS guide 3.1), containerd's hosts.toml. Pure:
// each returns one shell script run with sudo, idempotent (a second run changes nothing and restarts nothing).
import { shq } from '../../common/quote.js';

export type TrustRuntime = 'docker' | 'crio' | 'containerd';

/** Writes `content` to `path` only when it differs; sets CHANGED=1 when it wrote. */
function writeIfChanged(path: string, content: string): string {
  return `if ! printf '%s' ${shq(content)} | cmp -s - ${shq(path)}; then mkdir -p ${shq(path.replace(/\/[^/]+$/, ''))} && printf '%s' ${shq(content)} > ${shq(path)} && CHANGED=1; fi`;
}

/** `root` prefixes every path (tests run the script in a scratch folder); `/` on a node. */
export function registryTrustScript(runtime: TrustRuntime, registry: string, root = ''): string {
  const lines = ['set -e', 'CHANGED=0'];
  if (runtime === 'docker') {
    // daemon.json may hold the site's own settings (log driver, mirrors): the entry is merged, never replaced.
    const py = [
      'import json,os,sys',
      "p=sys.argv[2]+'/etc/docker/daemon.json'; r=sys.argv[1]",
      "d=json.load(open(p)) if os.path.exists(p) and os.path.getsize(p) else {}",
      "l=d.setdefault('insecure-registries',[])",
      'if r in l: sys.exit(3)',
      'l.append(r); os.makedirs(os.path.dirname(p),exist_ok=True)',
      "open(p+'.cp-installer','w').write(json.dumps(d,indent=2)+'\\n'); os.replace(p+'.cp-installer',p)",
    ].join('\n');
    lines.push(`rc=0; python3 -c ${shq(py)} ${shq(registry)} ${shq(root)} || rc=$?`, 'if [ "$rc" = 0 ]; then CHANGED=1; elif [ "$rc" != 3 ]; then exit "$rc"; fi');
    lines.push('if [ "$CHANGED" = 1 ]; then systemctl restart docker; fi');
  } else if (runtime === 'crio') {
    lines.push(writeIfChanged(root + '/etc/crio/crio.conf.d/90-cp-installer-registry.conf', `[crio.image]\ninsecure_registries = [\n  "${registry}",\n]\n`));
    lines.push(writeIfChanged(root + '/etc/containers/registries.conf.d/90-cp-installer-registry.conf', `[[registry]]\ninsecure = true\nlocation = "${registry}"\n`));
    lines.push('if [ "$CHANGED" = 1 ]; then systemctl restart crio; fi');
  } else {
    lines.push(writeIfChanged(`${root}/etc/containerd/certs.d/${registry}/hosts.toml`, `server = "http://${registry}"\n\n[host."http://${registry}"]\n  capabilities = ["pull", "resolve", "push"]\n  skip_verify = true\n`));
  }
  lines.push(`if [ "$CHANGED" = 1 ]; then echo ${shq(`trusted ${registry}`)}; else echo ${shq(`${registry} already trusted`)}; fi`);
  return lines.join('\n');
}
