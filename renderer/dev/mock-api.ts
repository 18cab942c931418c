// A stand-in engine for working on the screens without one: loaded ONLY when window.installer is absent and
// the URL has ?mock (see main.tsx). Never used by tests that claim to be end to end. `?mock&fail` makes the
// first run fail in the Kubespray step so resume can be tried; window.__mockFlood floods the log (bench).
import type {
  ApiEvent,
  ArgsOf,
  CommandName,
  ConnectionResult,
  HostReport,
  InstallerApi,
  LogLine,
  PlanInput,
  PlanIssue,
  ResultOf,
  RunState,
  RunSummary,
} from '../../core/api/types.js';

type Handlers = { [C in CommandName]: (args: ArgsOf<C>) => Promise<ResultOf<C>> | ResultOf<C> };

export const mockMessages = {
  en: {
    'mock.address': 'Enter an IPv4 address such as 10.0.0.11 (got "{{value}}").',
    'mock.nameDup': 'Another host is already named {{name}}.',
    'mock.noCp': 'The cluster needs at least one control-plane host.',
    'mock.auth': 'Authentication failed for {{user}}@{{host}}: check the password or key.',
    'mock.hostKeyUnknown': 'The host key of {{host}} is not known yet.',
    'mock.check.os': 'Operating system',
    'mock.check.memory': 'Memory',
    'mock.check.swap': 'Swap is off',
    'mock.check.port': 'Port {{port}} is free',
    'mock.check.time': 'Clock in sync',
    'mock.ok': '{{value}}',
    'mock.swapOn': 'Swap is on ({{value}}). Kubelet refuses to start with swap.',
    'mock.swapRemedy': 'Turn swap off and remove it from /etc/fstab.',
    'mock.fixSwap': 'turn swap off',
    'mock.cross.names': 'Host names are unique',
  },
  ko: {
    'mock.address': '10.0.0.11 같은 IPv4 주소를 입력하세요("{{value}}" 입력됨).',
    'mock.nameDup': '{{name}} 이름을 쓰는 호스트가 이미 있습니다.',
    'mock.noCp': '클러스터에는 컨트롤 플레인 호스트가 한 대 이상 필요합니다.',
    'mock.auth': '{{user}}@{{host}} 인증 실패: 비밀번호나 키를 확인하세요.',
    'mock.hostKeyUnknown': '{{host}}의 호스트 키를 아직 모릅니다.',
    'mock.check.os': '운영체제',
    'mock.check.memory': '메모리',
    'mock.check.swap': '스왑 꺼짐',
    'mock.check.port': '{{port}} 포트 사용 가능',
    'mock.check.time': '시계 동기화',
    'mock.ok': '{{value}}',
    'mock.swapOn': '스왑이 켜져 있습니다({{value}}). 스왑이 켜져 있으면 kubelet이 시작하지 않습니다.',
    'mock.swapRemedy': '스왑을 끄고 /etc/fstab에서 지우세요.',
    'mock.fixSwap': '스왑 끄기',
    'mock.cross.names': '호스트 이름 중복 없음',
  },
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => new Date().toISOString();

const STEPS = [
  { id: 'connect', title: { key: 'step.connect' } },
  { id: 'deployer-tree', title: { key: 'step.deployer-tree' } },
  { id: 'deployer-ansible', title: { key: 'step.deployer-ansible' } },
  { id: 'inventory', title: { key: 'step.inventory' } },
  { id: 'kubespray', title: { key: 'step.kubespray' } },
  { id: 'storage', title: { key: 'step.storage', params: { type: 'nfs' } } },
];

/** What a finished mock run hands over: the portal's checked URLs as the portal step records them. */
export function mockDoneOutputs(runId: string) {
  return {
    kubeconfigPath: '/home/user/.cp-installer/runs/' + runId + '/kubeconfig',
    endpoints: [
      { name: 'api-server', url: 'https://10.0.0.11:6443' },
      { name: 'portal', url: 'https://portal.10.0.0.230.nip.io', state: 'ok' as const, status: 200, via: '10.0.0.230', certificate: { trusted: true, subject: 'CN=*.10.0.0.230.nip.io', issuer: 'CN=10.0.0.230.nip.io CA', validTo: 'Dec  4 05:10:00 2036 GMT' }, caPath: '/home/user/.cp-installer/clusters/cp-cluster/portal-ca.crt' },
      { name: 'keycloak', url: 'https://keycloak.10.0.0.230.nip.io', state: 'ok' as const, status: 200, via: '10.0.0.230', certificate: { trusted: true, subject: 'CN=*.10.0.0.230.nip.io', issuer: 'CN=10.0.0.230.nip.io CA', validTo: 'Dec  4 05:10:00 2036 GMT' }, caPath: '/home/user/.cp-installer/clusters/cp-cluster/portal-ca.crt' },
      { name: 'harbor', url: 'https://harbor.10.0.0.230.nip.io', state: 'ok' as const, status: 200, via: '10.0.0.230', certificate: { trusted: true, subject: 'CN=*.10.0.0.230.nip.io', issuer: 'CN=10.0.0.230.nip.io CA', validTo: 'Dec  4 05:10:00 2036 GMT' }, caPath: '/home/user/.cp-installer/clusters/cp-cluster/portal-ca.crt' },
      { name: 'openbao', url: 'https://openbao.10.0.0.230.nip.io', state: 'ok' as const, status: 307, via: '10.0.0.230', certificate: { trusted: true, subject: 'CN=*.10.0.0.230.nip.io', issuer: 'CN=10.0.0.230.nip.io CA', validTo: 'Dec  4 05:10:00 2036 GMT' }, caPath: '/home/user/.cp-installer/clusters/cp-cluster/portal-ca.crt' },
      { name: 'chartmuseum', url: 'https://chartmuseum.10.0.0.230.nip.io', state: 'unreachable' as const, via: '10.0.0.230', reason: 'TLS handshake: the ingress has no certificate for this name (secret chartmuseum-tls-secret not found)' },
    ],
    portalHostsSnippet: '10.0.0.230 portal.10.0.0.230.nip.io keycloak.10.0.0.230.nip.io harbor.10.0.0.230.nip.io openbao.10.0.0.230.nip.io chartmuseum.10.0.0.230.nip.io',
    versions: { kubernetes: '1.32.5', kubespray: '2.28.0', 'cri-o': '1.32.0' },
  };
}

export function createMockApi(): InstallerApi {
  const listeners = new Set<(e: ApiEvent) => void>();
  const emit = (e: ApiEvent) => listeners.forEach((l) => l(e));
  const params = new URLSearchParams(location.search);
  let failOnce = params.has('fail');
  const acceptedKeys = new Set<string>();
  const runs = new Map<string, { summary: RunSummary; state: RunState; logs: LogLine[]; plan: PlanInput; cancel: boolean }>();
  let seqRun = 0;

  const log = (run: { logs: LogLine[] }, runId: string, batch: LogLine[], stepId: string, line: string, host?: string, stream: LogLine['stream'] = 'stdout') => {
    const l: LogLine = { seq: run.logs.length + 1, stepId, stream, line };
    if (host) l.host = host;
    run.logs.push(l);
    batch.push(l);
    if (batch.length >= 200) flush(runId, batch);
  };
  const flush = (runId: string, batch: LogLine[]) => {
    if (batch.length) emit({ type: 'log-batch', runId, lines: batch.splice(0) });
  };

  async function execute(runId: string) {
    const run = runs.get(runId)!;
    const hosts = (run.plan.hosts ?? []).map((h) => h.name);
    const batch: LogLine[] = [];
    emit({ type: 'run-started', runId, mode: run.summary.mode, steps: run.state.steps.map(({ id, title, hosts: h, needs }) => ({ id, title, hosts: h, needs })), resumed: run.state.steps.some((s) => s.status === 'done'), at: now() });
    for (const step of run.state.steps) {
      if (step.status === 'done') continue;
      if (run.cancel) break;
      step.status = 'running';
      emit({ type: 'step-started', runId, stepId: step.id, at: now() });
      const t0 = performance.now();
      const tasks = step.id === 'kubespray' ? 40 : 4;
      for (let t = 0; t < tasks && !run.cancel; t++) {
        const task = `kubernetes/preinstall : Task ${t + 1}`;
        log(run, runId, batch, step.id, `\x1b[1mTASK [${task}] ${'*'.repeat(30)}\x1b[0m`, undefined, 'stdout');
        for (const h of step.hosts.length ? step.hosts : hosts.slice(0, 1)) {
          const changed = (t + h.length) % 3 === 0;
          log(run, runId, batch, step.id, changed ? `\x1b[33mchanged: [${h}]\x1b[0m` : `\x1b[32mok: [${h}]\x1b[0m`, h);
          emit({ type: 'step-progress', runId, stepId: step.id, host: h, fraction: (t + 1) / tasks, detail: task });
        }
        if (step.id === 'kubespray' && failOnce && t === 25) {
          failOnce = false;
          const h = step.hosts[0] ?? 'node-1';
          log(run, runId, batch, step.id, `fatal: [${h}]: FAILED! => {"msg": "Timeout (12s) waiting for privilege escalation prompt"}`, h, 'stderr');
          flush(runId, batch);
          step.status = 'failed';
          run.state.failure = { stepId: step.id, task, host: h, message: 'Timeout (12s) waiting for privilege escalation prompt' };
          emit({ type: 'step-failed', runId, stepId: step.id, error: { key: 'install.playbook-failed', params: { task, host: h, message: 'Timeout (12s) waiting for privilege escalation prompt' } }, failure: { task, host: h, message: 'Timeout (12s) waiting for privilege escalation prompt' }, at: now() });
          run.summary.status = 'failed';
          run.summary.failedStep = step.id;
          emit({ type: 'run-finished', runId, status: 'failed', at: now() });
          return;
        }
        flush(runId, batch);
        await sleep(step.id === 'kubespray' ? 60 : 120);
      }
      step.status = run.cancel ? 'cancelled' : 'done';
      step.durationMs = performance.now() - t0;
      emit({ type: 'step-finished', runId, stepId: step.id, status: step.status, durationMs: step.durationMs, at: now() });
    }
    flush(runId, batch);
    const status = run.cancel ? 'cancelled' : 'succeeded';
    run.summary.status = status;
    run.state.outputs =
      status === 'succeeded'
        ? mockDoneOutputs(runId)
        : undefined;
    emit({ type: 'run-finished', runId, status, outputs: run.state.outputs, at: now() });
  }

  const handlers: Handlers = {
    'app.info': () => ({
      version: '0.1.0-mock',
      releases: [
        { name: 'k-paas-v1.6.2', title: 'K-PaaS Container Platform v1.6.2', kubernetes: '1.32.5', kubeedge: '1.20.0' },
        { name: 'k-paas-v1.6.1', title: 'K-PaaS Container Platform v1.6.1', kubernetes: '1.31.4', kubeedge: '1.20.0' },
      ],
      defaultRelease: 'k-paas-v1.6.2',
      modesAvailable: ['standalone', 'edge'],
      // What core/api/modes.ts serves from the modes' profiles (a mock cannot import them).
      modes: [
        { name: 'standalone', title: { key: 'mode.standalone.card' }, description: { key: 'mode.standalone.desc' }, icon: '▦', available: true, roles: ['control-plane', 'worker', 'etcd', 'deployer', 'nfs', 'lb'], sections: ['podNetwork', 'clusterLayout', 'loadBalancer', 'storage', 'portal', 'registry', 'bundle'], outputs: ['kubeconfig', 'endpoints', 'report'] },
        { name: 'edge', title: { key: 'mode.edge.card' }, description: { key: 'mode.edge.desc' }, icon: '⌬', available: true, roles: ['control-plane', 'worker', 'etcd', 'edge', 'deployer', 'nfs', 'lb'], sections: ['podNetwork', 'registry', 'bundle', 'edge'], outputs: [] },
        { name: 'expand-edge', title: { key: 'mode.expand-edge.card' }, description: { key: 'mode.expand-edge.desc' }, icon: '⊕', available: false, roles: ['control-plane', 'worker', 'etcd', 'edge', 'deployer', 'nfs', 'lb'], sections: ['registry', 'bundle', 'edge', 'edgeKubeconfig'], hostsHint: { key: 'mode.expand-edge.hostsHint' }, outputs: [] },
        { name: 'caas', title: { key: 'mode.caas.card' }, description: { key: 'mode.caas.desc' }, icon: '☁', available: false, roles: ['control-plane', 'worker', 'etcd', 'deployer', 'nfs', 'lb', 'jumpbox'], sections: ['podNetwork', 'clusterLayout', 'loadBalancer', 'storage', 'portal', 'registry', 'bundle', 'bosh', 'paasta'], outputs: [] },
      ],
      lang: 'en',
      shell: 'browser',
      canRememberSecrets: false,
      whyNoKeychain: '(mock)',
    }),
    'plan.new': ({ mode }) => {
      const plan: PlanInput = { apiVersion: 'cp-installer/v1', kind: 'Plan', mode, release: 'k-paas-v1.6.2', hosts: [], auth: [{ name: 'default', method: 'password', user: 'ubuntu', sudo: 'nopasswd' }] };
      return { plan, yaml: `# cp-installer plan\napiVersion: cp-installer/v1\nkind: Plan\nmode: ${mode}\n` };
    },
    'plan.validate': ({ plan }) => {
      const errors: PlanIssue[] = [];
      const seen = new Set<string>();
      (plan.hosts ?? []).forEach((h, i) => {
        if (!IPV4.test(h.address)) errors.push({ path: `hosts[${i}].address`, severity: 'error', key: 'mock.address', params: { value: h.address } });
        if (h.privateAddress && !IPV4.test(h.privateAddress)) errors.push({ path: `hosts[${i}].privateAddress`, severity: 'error', key: 'mock.address', params: { value: h.privateAddress } });
        if (seen.has(h.name)) errors.push({ path: `hosts[${i}].name`, severity: 'error', key: 'mock.nameDup', params: { name: h.name } });
        seen.add(h.name);
      });
      if ((plan.hosts ?? []).length && !(plan.hosts ?? []).some((h) => h.roles?.includes('control-plane'))) errors.push({ path: 'hosts', severity: 'error', key: 'mock.noCp' });
      const ing = plan.network?.ingressIp;
      if (ing && !IPV4.test(ing)) errors.push({ path: 'network.ingressIp', severity: 'error', key: 'mock.address', params: { value: ing } });
      return { valid: !errors.length, errors, warnings: [] };
    },
    'plan.parse': ({ yaml }) => {
      try {
        const plan = JSON.parse(yaml) as PlanInput;
        return { plan, issues: [] };
      } catch {
        return { issues: [{ path: '', severity: 'error', key: 'mock.address', params: { value: 'YAML (the mock reads JSON only)' }, line: 1 }] };
      }
    },
    'plan.toYaml': ({ plan }) => ({ yaml: toYaml(plan) }),
    'plan.load': ({ path }) => ({ yaml: '', issues: [{ path: '', severity: 'error', key: 'mock.address', params: { value: path } }] }),
    'plan.save': ({ path, plan }) => ({ path, yaml: toYaml(plan) }),
    'plan.importVars': ({ clusterVars }) => {
      const get = (k: string) => new RegExp(`^${k}=["']?([^"'\\n]*)`, 'm').exec(clusterVars)?.[1];
      const hosts: NonNullable<PlanInput['hosts']> = [];
      const n = Number(get('MASTER_NODE_COUNT') ?? '1');
      for (let i = 1; i <= n; i++) hosts.push({ name: get(`MASTER${i}_NODE_HOSTNAME`) ?? `master${i}`, address: get(`MASTER${i}_NODE_PUBLIC_IP`) ?? '', privateAddress: get(`MASTER${i}_NODE_PRIVATE_IP`), roles: ['control-plane', 'etcd'] });
      const w = Number(get('WORKER_NODE_COUNT') ?? '0');
      for (let i = 1; i <= w; i++) hosts.push({ name: get(`WORKER${i}_NODE_HOSTNAME`) ?? `worker${i}`, address: get(`WORKER${i}_NODE_PRIVATE_IP`) ?? '', roles: ['worker'] });
      const plan: PlanInput = { apiVersion: 'cp-installer/v1', kind: 'Plan', mode: 'standalone', release: 'k-paas-v1.6.2', hosts, auth: [{ name: 'default', method: 'key', keyPath: '~/.ssh/id_rsa', sudo: 'nopasswd' }], network: { metallbRange: get('METALLB_IP_RANGE'), ingressIp: get('INGRESS_NGINX_IP') } };
      return { plan, yaml: toYaml(plan) };
    },
    'secrets.set': () => ({ remembered: false }),
    'ssh.test': async ({ plan, hosts }) => {
      const list = (plan.hosts ?? []).filter((h) => !hosts || hosts.includes(h.name));
      const results: ConnectionResult[] = [];
      for (const h of list) {
        await sleep(150);
        let r: ConnectionResult;
        if (h.address.endsWith('.99')) r = { name: h.name, ok: false, error: { key: 'mock.auth', params: { user: h.user ?? 'ubuntu', host: h.name }, kind: 'auth' } };
        else if (h.address.endsWith('.13') && !acceptedKeys.has(h.name)) r = { name: h.name, ok: false, fingerprint: 'SHA256:3m8x1Kp7Yq0zJw5nVb2LcR9tGhUe4fDsAo6iMkNyQxE', error: { key: 'mock.hostKeyUnknown', params: { host: h.name }, kind: 'host-key-unknown' } };
        else r = { name: h.name, ok: true, hostname: h.name, os: 'Ubuntu 22.04.5 LTS' };
        results.push(r);
        emit({ type: 'ssh-host', result: r });
      }
      return { hosts: results };
    },
    'caas.check': () => ({
      host: 'inception',
      checks: [
        { id: 'caas.tools', status: 'pass', title: { key: 'preflight.caas.tools.title' }, message: { key: 'preflight.caas.tools.pass' } },
        { id: 'caas.director', status: 'fail', title: { key: 'preflight.caas.director.title', params: { director: '10.0.1.6' } }, message: { key: 'preflight.caas.director.fail', params: { client: 'admin', detail: '(mock) 401 Unauthorized' } }, remedy: { key: 'preflight.caas.director.remedy.login' } },
      ],
    }),
    'ssh.acceptHostKey': ({ host }) => {
      acceptedKeys.add(host);
      return { ok: true };
    },
    'preflight.run': async ({ plan }) => {
      const t0 = Date.now();
      const reports: HostReport[] = [];
      for (const [i, h] of (plan.hosts ?? []).entries()) {
        await sleep(200);
        const swapOn = i === 1;
        const r: HostReport = {
          name: h.name,
          address: h.address,
          facts: { hostname: h.name, os: { prettyName: 'Ubuntu 22.04.5 LTS' }, arch: 'x86_64', kernel: '5.15.0-125-generic', cpus: 4, memoryKb: 16_384_000, disk: { rootFreeKb: 80_000_000 }, swapKb: swapOn ? 2_097_152 : 0, cgroup: 'v2', listening: [22, 53], interfaces: [{ name: 'eth0', addresses: [h.address + '/24'] }] },
          checks: [
            { id: 'os', status: 'pass', title: { key: 'mock.check.os' }, message: { key: 'mock.ok', params: { value: 'Ubuntu 22.04' } } },
            { id: 'memory', status: i === 2 ? 'warn' : 'pass', title: { key: 'mock.check.memory' }, message: { key: 'mock.ok', params: { value: i === 2 ? '3.8 GiB (8 GiB recommended)' : '15.6 GiB' } } },
            swapOn
              ? { id: 'swap', status: 'fail', title: { key: 'mock.check.swap' }, message: { key: 'mock.swapOn', params: { value: '2.0 GiB' } }, remedy: { key: 'mock.swapRemedy' }, fix: { id: 'swap-off', title: { key: 'mock.fixSwap' }, commands: ['swapoff -a', "sed -i '/\\sswap\\s/s/^/#/' /etc/fstab"] } }
              : { id: 'swap', status: 'pass', title: { key: 'mock.check.swap' }, message: { key: 'mock.ok', params: { value: '0' } } },
            { id: 'port.6443', status: 'pass', title: { key: 'mock.check.port', params: { port: 6443 } }, message: { key: 'mock.ok', params: { value: 'free' } } },
            { id: 'time', status: 'pass', title: { key: 'mock.check.time' }, message: { key: 'mock.ok', params: { value: 'NTP synchronized' } } },
          ],
        };
        reports.push(r);
        emit({ type: 'preflight-host', report: r });
      }
      const ok = !reports.some((r) => r.checks.some((c) => c.status === 'fail'));
      return { hosts: reports, cross: [{ id: 'hostnames', status: 'pass', title: { key: 'mock.cross.names' }, message: { key: 'mock.ok', params: { value: 'unique' } }, hosts: reports.map((r) => r.name) }], ok, startedAt: new Date(t0).toISOString(), durationMs: Date.now() - t0 };
    },
    'preflight.fix': async () => {
      await sleep(300);
      return { ok: true, output: 'swapoff -a: done\n' };
    },
    'plan.egress': () => ({
      entries: [{ host: 'github.com', url: 'https://github.com/K-PaaS/cp-deployment.git', purpose: { key: 'egress.kubespray-tree', params: { ref: 'main' } }, step: 'deployer-tree' }],
    }),
    'run.planChanges': () => ({ changes: [], overrides: [] }),
    'run.dryRun': ({ plan }) => ({
      actions: [
        { step: 'deployer-tree', host: plan.hosts?.[0]?.name, kind: 'command', summary: 'tar -xzf /tmp/cp-deployment.tar.gz -C ~/cp-deployment' },
        { step: 'inventory', host: plan.hosts?.[0]?.name, kind: 'file', summary: '~/cp-deployment/standalone/inventory/mycluster/hosts.yaml', content: toYaml({ all: { hosts: Object.fromEntries((plan.hosts ?? []).map((h) => [h.name, { ansible_host: h.address }])) } }) },
        { step: 'kubespray', host: plan.hosts?.[0]?.name, kind: 'command', summary: 'ansible-playbook -i inventory/mycluster/hosts.yaml --become cluster.yml' },
      ],
    }),
    'run.start': ({ plan }) => {
      const runId = `run-${Date.now().toString(36)}-${++seqRun}`;
      const names = (plan.hosts ?? []).map((h) => h.name);
      const summary: RunSummary = { id: runId, mode: plan.mode, status: 'running', startedAt: now() };
      const state: RunState = { summary, steps: STEPS.map((s) => ({ ...s, hosts: s.id === 'kubespray' || s.id === 'connect' ? names : names.slice(0, 1), needs: [], status: 'pending' })), lastSeq: 0 };
      runs.set(runId, { summary, state, logs: [], plan, cancel: false });
      setTimeout(() => void execute(runId), 50);
      return { runId };
    },
    'run.cancel': ({ runId }) => {
      const r = runs.get(runId);
      if (r) r.cancel = true;
      return { ok: true };
    },
    'run.resume': ({ runId }) => {
      const r = runs.get(runId)!;
      r.cancel = false;
      r.summary.status = 'running';
      for (const s of r.state.steps) if (s.status !== 'done') s.status = 'pending';
      r.state.failure = undefined;
      setTimeout(() => void execute(runId), 50);
      return { runId };
    },
    'run.list': () => ({ runs: [...runs.values()].map((r) => r.summary) }),
    'run.state': ({ runId }) => {
      const r = runs.get(runId)!;
      return { ...r.state, lastSeq: r.logs.length };
    },
    'run.logsSince': ({ runId, seq, limit }) => {
      const r = runs.get(runId)!;
      return { lines: r.logs.slice(seq, seq + (limit ?? 5000)), lastSeq: r.logs.length };
    },
    'outputs.kubeconfig': ({ saveAs, mergeInto }) => ({ path: saveAs ?? mergeInto ?? '/tmp/kubeconfig', context: 'cp-cluster' }),
    'outputs.report': ({ runId }) => ({ path: `/home/user/.cp-installer/runs/${runId}/report.html` }),
    'outputs.supportBundle': ({ runId }) => ({ path: `/home/user/.cp-installer/runs/${runId}/support-bundle.tar.gz` }),
    // The mock hands over a made-up first login once, like the engine (never a real password).
    'portal.firstLogin': () => ({ realm: 'cp-realm', kept: 'nowhere' as const, whyNotKept: 'keychain.browser' }),
    'portal.uninstall': () => ({ removed: [], outputs: {} }),
    'dialog.open': () => ({ canceled: true }),
    'dialog.save': () => ({ canceled: true }),
    'bundle.build': ({ output }) => ({ ok: true, file: output, size: 1024, sha256: '0'.repeat(64), artifacts: 1, failed: [] }),
    'bundle.cancel': () => ({ ok: true as const }),
  };

  // The benchmark's flood: `lines` log lines in batches, as the engine's batcher would send them.
  (window as unknown as { __mockFlood: unknown }).__mockFlood = async (opts: { runId?: string; lines: number; batch: number; intervalMs: number }) => {
    const runId = opts.runId ?? 'bench';
    let seq = 0;
    const hosts = ['master-1', 'worker-1', 'worker-2', 'worker-3'];
    while (seq < opts.lines) {
      const lines: LogLine[] = [];
      for (let i = 0; i < opts.batch && seq < opts.lines; i++) {
        seq++;
        const host = hosts[seq % hosts.length]!;
        const line = seq % 50 === 0 ? `\x1b[1mTASK [kubernetes/node : line ${seq}] ${'*'.repeat(40)}\x1b[0m` : seq % 7 === 0 ? `\x1b[33mchanged: [${host}] => (item=/etc/kubernetes/manifests/kube-apiserver.yaml)\x1b[0m` : `\x1b[32mok: [${host}] => {"changed": false, "seq": ${seq}}\x1b[0m`;
        lines.push({ seq, stepId: 'kubespray', host, stream: 'stdout', line });
      }
      emit({ type: 'log-batch', runId, lines });
      await sleep(opts.intervalMs);
    }
    return seq;
  };

  return {
    async invoke(command, args) {
      await sleep(20);
      const h = handlers[command] as (a: typeof args) => unknown;
      return (await h(args)) as never;
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Enough YAML for the mock's review screen. */
function toYaml(v: unknown, indent = ''): string {
  if (Array.isArray(v)) return v.length ? v.map((x) => `${indent}- ${toYaml(x, indent + '  ').trimStart()}`).join('') : `${indent}[]\n`;
  if (v && typeof v === 'object') {
    return Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => (x && typeof x === 'object' && (!Array.isArray(x) || x.length) ? `${indent}${k}:\n${toYaml(x, indent + '  ')}` : `${indent}${k}: ${Array.isArray(x) ? '[]' : JSON.stringify(x)}\n`))
      .join('');
  }
  return `${indent}${JSON.stringify(v)}\n`;
}
