// The two services the deployer runs for a site without internet, and the commands that load images:
//   cp-installer-files     python3's http.server on the bundle's files/ (Kubespray's files_repo layout);
//                          python3 is on every deployer (Ansible runs there), so nothing extra is shipped
//   cp-installer-registry  the distribution registry shipped in the bundle, storing on the deployer's disk
// Each is kept running: a systemd unit with Restart=always where systemd runs, else a small supervisor loop
// (restarts the server a second after it exits) in its own session with its pid in a file, which the step
// checks and starts again. Pure: file texts and command lines (quoted with shq/shellJoin).
import { createHash } from 'node:crypto';
import { shellJoin, shq } from '../../common/quote.js';

export type ServiceName = 'cp-installer-files' | 'cp-installer-registry';

export interface ServiceSpec {
  name: ServiceName;
  /** What runs, absolute paths only (a unit and the supervisor start in other folders). */
  argv: string[];
  /** The login user it runs as under systemd (the files and the registry's storage are theirs). */
  user: string;
  /** Where the supervisor keeps its pid, log and script (absolute). */
  runDir: string;
  /** The URL that answers 200 once it serves (checked after each start). */
  health: string;
  /** The CA (absolute path) the health check verifies an https URL with. */
  healthCa?: string;
}

/** The layout on the deployer, under the login user's home (relative: an SSH command starts there). */
export const OFFLINE_DIR = 'cp-installer-offline';
export const OFFLINE_LAYOUT = {
  /** The unpacked bundle (files/, images/, …). */
  bundle: `${OFFLINE_DIR}/bundle`,
  /** The distribution registry's storage. */
  registry: `${OFFLINE_DIR}/registry`,
  bin: `${OFFLINE_DIR}/bin`,
  run: `${OFFLINE_DIR}/run`,
  /** Certificates skopeo is given for a registry with its own CA (`<dir>/<address>/ca.crt`). */
  certs: `${OFFLINE_DIR}/certs`,
  /** The deployer's registry's CA and server certificate (registryCertScript); its keys never leave this folder. */
  tls: `${OFFLINE_DIR}/tls`,
} as const;

/** The file in the unpacked bundle holding the manifest sha256 it was unpacked from. */
export const UNPACKED_MARK = '.cp-installer-unpacked';

export function specHash(spec: ServiceSpec, extra = ''): string {
  return createHash('sha256').update(JSON.stringify(spec)).update('\0').update(extra).digest('hex').slice(0, 16);
}

/** A systemd unit: restarted whenever it exits, started at boot. */
export function systemdUnit(spec: ServiceSpec, description: string): string {
  return [
    '[Unit]',
    `Description=${description}`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    `User=${spec.user}`,
    `ExecStart=${spec.argv.map(systemdWord).join(' ')}`,
    'Restart=always',
    'RestartSec=1',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** systemd's own quoting for one ExecStart word (double quotes, `\` and `"` escaped, `%` doubled). */
function systemdWord(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) && !w.includes('%') ? w : `"${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
}

export function supervisorPaths(spec: ServiceSpec): { script: string; pid: string; log: string; hash: string } {
  return { script: `${spec.runDir}/${spec.name}.sh`, pid: `${spec.runDir}/${spec.name}.pid`, log: `${spec.runDir}/${spec.name}.log`, hash: `${spec.runDir}/${spec.name}.spec` };
}

/** The supervisor where there is no systemd: the server again a second after it exits, its output in a log. */
export function supervisorScript(spec: ServiceSpec): string {
  const p = supervisorPaths(spec);
  return [
    '#!/bin/sh',
    `# cp-installer: keeps ${spec.name} running on a host without systemd (started again a second after it exits).`,
    'while :; do',
    `  ${shellJoin(spec.argv)} >> ${shq(p.log)} 2>&1`,
    `  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) ${spec.name} exited ($?), starting it again" >> ${shq(p.log)}`,
    '  sleep 1',
    'done',
    '',
  ].join('\n');
}

/** Exit 0 when the supervisor with this spec runs (its pid alive, its spec the same); prints why not otherwise. */
export function supervisorRunningCommand(spec: ServiceSpec, hash: string): string {
  const p = supervisorPaths(spec);
  return `p=$(cat ${shq(p.pid)} 2>/dev/null) && test -n "$p" && kill -0 "$p" 2>/dev/null && test "$(cat ${shq(p.hash)} 2>/dev/null)" = ${shq(hash)} || { echo 'not running with this configuration'; exit 1; }`;
}

/**
 * (Re)starts the supervisor: the old one's whole process group stopped first (its own session, so the
 * server goes with it), then the new one in a session of its own, detached from this SSH command.
 */
export function supervisorStartCommand(spec: ServiceSpec, hash: string): string {
  const p = supervisorPaths(spec);
  return [
    `p=$(cat ${shq(p.pid)} 2>/dev/null); if test -n "$p" && kill -0 "$p" 2>/dev/null; then kill -TERM -- "-$p" 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done; kill -KILL -- "-$p" 2>/dev/null; fi`,
    `setsid sh ${shq(p.script)} < /dev/null > /dev/null 2>&1 & echo $! > ${shq(p.pid)}`,
    `printf '%s\\n' ${shq(hash)} > ${shq(p.hash)}`,
  ].join('; ');
}

/** Installs (or replaces) and starts the unit; run with sudo. A changed unit restarts it. */
export function systemdInstallCommand(spec: ServiceSpec, unitFile: string): string {
  const dest = `/etc/systemd/system/${spec.name}.service`;
  return [
    `if ! cmp -s ${shq(unitFile)} ${shq(dest)}; then install -m 0644 ${shq(unitFile)} ${shq(dest)} && systemctl daemon-reload && systemctl enable ${shq(spec.name)} && systemctl restart ${shq(spec.name)}; fi`,
    `systemctl is-active --quiet ${shq(spec.name)} || systemctl restart ${shq(spec.name)}`,
  ].join(' && ');
}

/**
 * Waits (up to `seconds`) for a URL to answer 200, with python3 (on every deployer); prints the last error. An
 * https URL is verified with `ca` (its certificate and the address in its SAN), as the nodes will.
 */
export function waitHttpCommand(url: string, seconds = 30, ca?: string): string {
  const py = [
    'import ssl, sys, time, urllib.request',
    'url, end = sys.argv[1], time.time() + float(sys.argv[2])',
    'ctx = ssl.create_default_context(cafile=sys.argv[3]) if len(sys.argv) > 3 else None',
    'err = ""',
    'while time.time() < end:',
    '    try:',
    '        with urllib.request.urlopen(url, timeout=3, context=ctx) as r:',
    '            if r.status == 200: sys.exit(0)',
    '            err = "HTTP %d" % r.status',
    '    except Exception as e:',
    '        err = str(e)',
    '    time.sleep(0.3)',
    'print(err); sys.exit(1)',
  ].join('\n');
  return shellJoin(['python3', '-c', py, url, String(seconds), ...(ca ? [ca] : [])]);
}

export function filesServiceSpec(o: { home: string; user: string; address: string; port: number }): ServiceSpec {
  return {
    name: 'cp-installer-files',
    argv: ['python3', '-m', 'http.server', String(o.port), '--bind', o.address, '--directory', `${o.home}/${OFFLINE_LAYOUT.bundle}/files`],
    user: o.user,
    runDir: `${o.home}/${OFFLINE_LAYOUT.run}`,
    health: `http://${hostPort(o.address, o.port)}/`,
  };
}

export function registryConfigPath(home: string): string {
  return `${home}/${OFFLINE_LAYOUT.run}/registry.yml`;
}

/** The server certificate and key the deployer's registry serves (absolute paths, under OFFLINE_LAYOUT.tls). */
export function registryTlsFiles(home: string): { certificate: string; key: string; ca: string } {
  const d = `${home}/${OFFLINE_LAYOUT.tls}`;
  return { certificate: `${d}/server.crt`, key: `${d}/server.key`, ca: `${d}/ca.crt` };
}

/**
 * The distribution registry's configuration: filesystem storage on the deployer, on the node network; HTTPS
 * with the certificate registryCertScript made when `tls` is given, else plain HTTP (plan bundle.registryTls: false).
 */
export function registryConfig(o: { home: string; address: string; port: number; tls?: { certificate: string; key: string } }): string {
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(`${o.home}/${OFFLINE_LAYOUT.registry}`)}`,
    'http:',
    `  addr: ${JSON.stringify(hostPort(o.address, o.port))}`,
    ...(o.tls ? ['  tls:', `    certificate: ${JSON.stringify(o.tls.certificate)}`, `    key: ${JSON.stringify(o.tls.key)}`] : []),
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
    '',
  ].join('\n');
}

export function registryServiceSpec(o: { home: string; user: string; address: string; port: number; tls?: boolean }): ServiceSpec {
  return {
    name: 'cp-installer-registry',
    argv: [`${o.home}/${OFFLINE_LAYOUT.bin}/registry`, 'serve', registryConfigPath(o.home)],
    user: o.user,
    runDir: `${o.home}/${OFFLINE_LAYOUT.run}`,
    health: `${o.tls ? 'https' : 'http'}://${hostPort(o.address, o.port)}/v2/`,
    ...(o.tls ? { healthCa: registryTlsFiles(o.home).ca } : {}),
  };
}

// --- the registry's certificate --------------------------------------------------------------------------------

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** openssl's subjectAltName for the addresses the nodes use (`IP:` for an address, `DNS:` for a name). */
export function certSubjectAltName(addresses: readonly string[]): string {
  return [...new Set(addresses)].map((a) => (IPV4.test(a) || a.includes(':') ? `IP:${a}` : `DNS:${a}`)).join(',');
}

/** What registryCertScript printed: what it did, the server certificate's sha256 and the CA (PEM). */
export interface RegistryCertResult {
  status: 'kept' | 'issued' | 'ca-made';
  serverSha256: string;
  ca: string;
}

export function parseRegistryCert(stdout: string): RegistryCertResult | undefined {
  const status = /^status: (kept|issued|ca-made)$/m.exec(stdout)?.[1] as RegistryCertResult['status'] | undefined;
  const sha = /^server-sha256: ([0-9a-f]{64})$/m.exec(stdout)?.[1];
  const ca = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/.exec(stdout)?.[0];
  return status && sha && ca ? { status, serverSha256: sha, ca: ca.endsWith('\n') ? ca : `${ca}\n` } : undefined;
}

/** openssl's chatter (key generation dots) only when the command fails, then on stderr. */
function quietly(command: string): string {
  return `out=$(${command} 2>&1) || { printf '%s\\n' "$out" >&2; exit 4; }`;
}

/**
 * The deployer's registry's CA and server certificate, made on the deployer with openssl under
 * ~/cp-installer-offline/tls (0700; keys 0600): the CA once (its key never leaves that folder), the server
 * certificate for `addresses` (its SAN) signed by it. A rerun keeps both unless the addresses changed, the
 * certificate no longer verifies against the CA or it expires within 30 days; only then is it issued again (the
 * CA stays, so the nodes keep trusting it). The CA is copied to ~/cp-installer-offline/certs/<registry>/ca.crt
 * for skopeo's --dest-cert-dir. Prints `status: kept|issued|ca-made`, `server-sha256: …` and the CA's PEM.
 */
export function registryCertScript(o: { registry: string; addresses: readonly string[]; host: string }): string {
  const d = OFFLINE_LAYOUT.tls;
  const san = certSubjectAltName(o.addresses);
  const cn = o.addresses[0] ?? o.registry;
  const caCnf = ['[req]', 'distinguished_name = dn', 'prompt = no', 'x509_extensions = v3_ca', '[dn]', `CN = cp-installer registry CA (${o.host.replace(/[^A-Za-z0-9_.-]/g, '_')})`, '[v3_ca]', 'basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash'];
  const serverExt = ['basicConstraints = CA:FALSE', 'keyUsage = critical,digitalSignature,keyEncipherment', 'extendedKeyUsage = serverAuth', `subjectAltName = ${san}`, 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid,issuer'];
  const f = (name: string) => shq(`${d}/${name}`);
  const write = (name: string, lines: string[]) => `printf '%s\\n' ${lines.map(shq).join(' ')} > ${f(name)}`;
  const certs = `${OFFLINE_LAYOUT.certs}/${o.registry}`;
  return [
    'set -e',
    'umask 077',
    `command -v openssl >/dev/null 2>&1 || { echo 'openssl is not installed on this host' >&2; exit 3; }`,
    shellJoin(['mkdir', '-p', d]),
    shellJoin(['chmod', '700', d]),
    'status=kept',
    `if ! test -s ${f('ca.key')} || ! test -s ${f('ca.crt')}; then`,
    `  ${write('ca.cnf', caCnf)}`,
    `  ${quietly(`openssl req -x509 -new -config ${f('ca.cnf')} -newkey rsa:3072 -nodes -keyout ${f('ca.key.new')} -out ${f('ca.crt.new')} -days 3650 -sha256`)}`,
    `  mv ${f('ca.key.new')} ${f('ca.key')} && mv ${f('ca.crt.new')} ${f('ca.crt')} && rm -f ${f('server.crt')} ${f('ca.srl')}`,
    '  status=ca-made',
    'fi',
    `if ! { test -s ${f('server.crt')} && test -s ${f('server.key')} && test "$(cat ${f('server.san')} 2>/dev/null)" = ${shq(san)} && openssl verify -CAfile ${f('ca.crt')} ${f('server.crt')} >/dev/null 2>&1 && openssl x509 -checkend 2592000 -noout -in ${f('server.crt')} >/dev/null 2>&1; }; then`,
    `  ${write('server.ext', serverExt)}`,
    `  ${quietly(`openssl req -new -newkey rsa:2048 -nodes -keyout ${f('server.key.new')} -out ${f('server.csr')} -subj ${shq(`/CN=${cn}`)}`)}`,
    `  ${quietly(`openssl x509 -req -in ${f('server.csr')} -CA ${f('ca.crt')} -CAkey ${f('ca.key')} -CAserial ${f('ca.srl')} -CAcreateserial -out ${f('server.crt.new')} -days 825 -sha256 -extfile ${f('server.ext')}`)}`,
    `  mv ${f('server.key.new')} ${f('server.key')} && mv ${f('server.crt.new')} ${f('server.crt')} && rm -f ${f('server.csr')}`,
    `  printf '%s\\n' ${shq(san)} > ${f('server.san')}`,
    '  test "$status" = ca-made || status=issued',
    'fi',
    `chmod 600 ${f('ca.key')} ${f('server.key')}`,
    `chmod 644 ${f('ca.crt')} ${f('server.crt')}`,
    shellJoin(['mkdir', '-p', certs]),
    shellJoin(['install', '-m', '0644', `${d}/ca.crt`, `${certs}/ca.crt`]),
    'echo "status: $status"',
    `echo "server-sha256: $(sha256sum < ${f('server.crt')} | cut -d' ' -f1)"`,
    `cat ${f('ca.crt')}`,
  ].join('\n');
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

// --- images ------------------------------------------------------------------------------------------------

export interface SkopeoTls {
  /** Plain HTTP or an unchecked certificate. */
  insecure: boolean;
  /** A folder holding the registry's ca.crt. */
  certDir?: string;
  /** The login for a site registry that wants one: an auth.json path (never the credentials on the command line). */
  authFile?: string;
}

/**
 * A private folder for a registry login's auth.json, made on the deployer (`umask 077`, mktemp: 0700), on a
 * tmpfs where there is one ($XDG_RUNTIME_DIR, /dev/shm), else under ~/cp-installer-offline; an earlier run's
 * folder left by a kill is removed first. Prints the folder.
 */
export function authDirCommand(): string {
  const prefix = 'cp-installer-auth.';
  return [
    'umask 077',
    `for b in "\${XDG_RUNTIME_DIR:-}" /dev/shm "$HOME/${OFFLINE_DIR}"; do if test -n "$b" && test -d "$b" && test -w "$b"; then find "$b" -maxdepth 1 -name '${prefix}*' -user "$(id -u)" -exec rm -rf {} + 2>/dev/null; mktemp -d "$b/${prefix}XXXXXX" && exit 0; fi; done`,
    'exit 1',
  ].join('; ');
}

/** containers-auth.json(5) for one registry (the text holds the password: it goes to the private folder only). */
export function authJson(address: string, user: string, password: string): string {
  return `${JSON.stringify({ auths: { [address]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } })}\n`;
}

/** The manifest digest of an image in the registry (sha256 of its raw manifest), or nothing when it is not there. */
export function remoteDigestCommand(skopeo: string, target: string, tls: SkopeoTls): string {
  const argv = [skopeo, '--insecure-policy', 'inspect', '--raw', ...(tls.insecure ? ['--tls-verify=false'] : []), ...(tls.certDir ? ['--cert-dir', tls.certDir] : []), ...(tls.authFile ? ['--authfile', tls.authFile] : []), `docker://${target}`];
  // Through a file, not $(…): a command substitution would drop the manifest's trailing newline, and its digest with it.
  return `m=$(mktemp) && { if ${shellJoin(argv)} > "$m" 2>/dev/null; then sha256sum < "$m" | cut -d' ' -f1; fi; rm -f "$m"; }`;
}

/** The manifest digest inside an OCI archive (for an artifact whose digest the manifest lacks). */
export function archiveDigestCommand(skopeo: string, archive: string, tmpdir: string): string {
  return `${shellJoin([skopeo, '--insecure-policy', '--tmpdir', tmpdir, 'inspect', '--raw', `oci-archive:${archive}`])} | sha256sum | cut -d' ' -f1`;
}

/** One image from its OCI archive into the registry, digests kept (what the nodes pull is what was fetched). */
export function loadImageCommand(skopeo: string, archive: string, target: string, tls: SkopeoTls, tmpdir: string): string {
  return shellJoin([
    skopeo,
    '--insecure-policy',
    '--tmpdir',
    tmpdir,
    'copy',
    '--retry-times',
    '2',
    '--preserve-digests',
    ...(tls.insecure ? ['--dest-tls-verify=false'] : []),
    ...(tls.certDir ? ['--dest-cert-dir', tls.certDir] : []),
    ...(tls.authFile ? ['--dest-authfile', tls.authFile] : []),
    `oci-archive:${archive}`,
    `docker://${target}`,
  ]);
}
