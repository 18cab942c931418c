// Turns `kubeadm init` / `kubeadm join` output into progress. Every kubeadm line starts with its phase in
// brackets; the order moved between releases (1.31+ writes etcd and control-plane manifests before
// kubelet-start), so the fraction follows the furthest phase seen and never goes back. The bootstrap token
// shows up twice in a successful init (`[bootstrap-token] Using token:` and the join command): the parser
// hands it out so the run can mask it, and keeps nothing else of it.

export const INIT_PHASES = [
  'init',
  'preflight',
  'certs',
  'kubeconfig',
  'etcd',
  'control-plane',
  'kubelet-start',
  'wait-control-plane',
  'upload-config',
  'upload-certs',
  'mark-control-plane',
  'bootstrap-token',
  'kubelet-finalize',
  'addons',
] as const;

/** Lines whose tag is a sub-step of a phase in INIT_PHASES. */
const ALIASES: Record<string, string> = {
  apiclient: 'wait-control-plane',
  'kubelet-check': 'wait-control-plane',
  'control-plane-check': 'wait-control-plane',
  kubelet: 'upload-config',
  addon: 'addons',
};

export interface KubeadmProgress {
  phase: string;
  /** 0..1 of the whole init. */
  fraction: number;
  /** The line without its tag, for the UI. */
  detail: string;
}

export interface KubeadmResult {
  succeeded: boolean;
  /** `error execution phase <phase>` */
  failedPhase?: string;
  /** First line of the error, to show first. */
  error?: string;
  preflightErrors: string[];
  warnings: string[];
  /** `kubeadm join …` for workers, token included: a secret, never to be logged unmasked. */
  joinCommand?: string;
  token?: string;
}

const TAG = /^\[([a-z][a-z-]*)\]\s?(.*)$/;
const TOKEN = /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/;

export class KubeadmParser {
  private furthest = -1;
  private succeeded = false;
  private failedPhase: string | undefined;
  private error: string | undefined;
  private readonly preflightErrors: string[] = [];
  private readonly warnings: string[] = [];
  private token: string | undefined;
  private joinLines: string[] | undefined;
  private workerJoin: string | undefined;
  private afterControlPlaneJoin = false;

  /** Called with each token found, before the line is returned or logged by the caller. */
  constructor(private readonly onSecret: (secret: string) => void = () => {}) {}

  push(raw: string): KubeadmProgress | undefined {
    const line = raw.replace(/\r$/, '');
    const tok = TOKEN.exec(line);
    if (tok && tok[0] !== this.token) {
      this.token = tok[0];
      this.onSecret(tok[0]);
    }
    this.collectJoin(line);
    const trimmed = line.trim();
    const issue = /^\[(ERROR|WARNING) ([^\]]+)\]:\s*(.*)$/.exec(trimmed);
    if (issue) {
      (issue[1] === 'ERROR' ? this.preflightErrors : this.warnings).push(`${issue[2]}: ${issue[3]}`);
      return undefined;
    }
    const failed = /^error execution phase ([^:]+):\s*(.*)$/.exec(trimmed);
    if (failed) {
      this.failedPhase = failed[1];
      this.error ??= failed[2] || trimmed;
      return undefined;
    }
    if (/^(error|failed)\b/i.test(trimmed) && !this.error) this.error = trimmed;
    if (/has initialized successfully!|This node has joined the cluster/.test(trimmed)) {
      this.succeeded = true;
      return { phase: 'done', fraction: 1, detail: trimmed };
    }
    const m = TAG.exec(trimmed);
    if (!m) return undefined;
    const tag = m[1]!;
    const phase = ALIASES[tag] ?? tag;
    const index = (INIT_PHASES as readonly string[]).indexOf(phase);
    if (index < 0) return undefined;
    this.furthest = Math.max(this.furthest, index);
    return { phase, fraction: (this.furthest + 1) / (INIT_PHASES.length + 1), detail: m[2] ?? '' };
  }

  private collectJoin(line: string): void {
    const t = line.trim();
    if (this.joinLines) {
      this.joinLines.push(t.replace(/\\$/, '').trim());
      if (!t.endsWith('\\')) {
        const cmd = this.joinLines.join(' ');
        this.joinLines = undefined;
        if (cmd.includes('--control-plane')) this.afterControlPlaneJoin = true;
        else this.workerJoin = cmd;
      }
      return;
    }
    if (t.startsWith('kubeadm join ')) {
      if (t.endsWith('\\')) this.joinLines = [t.replace(/\\$/, '').trim()];
      else if (t.includes('--control-plane')) this.afterControlPlaneJoin = true;
      else this.workerJoin = t;
    }
  }

  result(exitCode?: number | null): KubeadmResult {
    // null/undefined: the exit status was not seen (dry run, or a session that lost it): the output decides.
    const ok = this.succeeded && !this.failedPhase && (exitCode == null || exitCode === 0);
    const out: KubeadmResult = { succeeded: ok, preflightErrors: [...this.preflightErrors], warnings: [...this.warnings] };
    if (this.failedPhase) out.failedPhase = this.failedPhase;
    if (!ok) out.error = this.error ?? (this.preflightErrors[0] ? `[preflight] ${this.preflightErrors[0]}` : 'kubeadm failed');
    if (this.workerJoin) out.joinCommand = this.workerJoin;
    if (this.token) out.token = this.token;
    return out;
  }

  /** Whether the output also offered a control-plane join (only with a controlPlaneEndpoint). */
  get offeredControlPlaneJoin(): boolean {
    return this.afterControlPlaneJoin;
  }
}

export interface JoinCommand {
  endpoint: string;
  token: string;
  caCertHashes: string[];
  controlPlane: boolean;
}

/** Parses `kubeadm token create --print-join-command` output (or a join command from init's output). */
export function parseJoinCommand(text: string): JoinCommand | undefined {
  const flat = text.replace(/\\\s*\n/g, ' ').split('\n').find((l) => l.trim().startsWith('kubeadm join '));
  if (!flat) return undefined;
  const words = flat.trim().split(/\s+/);
  const endpoint = words[2];
  let token: string | undefined;
  const hashes: string[] = [];
  let controlPlane = false;
  for (let i = 3; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--token') token = words[++i];
    else if (w.startsWith('--token=')) token = w.slice(8);
    else if (w === '--discovery-token-ca-cert-hash') hashes.push(words[++i] ?? '');
    else if (w.startsWith('--discovery-token-ca-cert-hash=')) hashes.push(w.split('=')[1] ?? '');
    else if (w === '--control-plane') controlPlane = true;
  }
  if (!endpoint || !token) return undefined;
  return { endpoint, token, caCertHashes: hashes, controlPlane };
}
