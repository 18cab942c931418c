// keadm output → progress. `keadm join` numbers its steps (klog: `I1125 … join.go:94] 3. Create the
// necessary directories`); `keadm init` prints a few plain lines and the Helm chart details. Both fail with
// cobra's `Error: …` line and a non-zero exit.

export interface KeadmProgress {
  fraction: number;
  detail: string;
}

export interface KeadmResult {
  succeeded: boolean;
  error?: string;
}

const KLOG = /^[IWEF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] ?(.*)$/;
const STEP = /^(\d+)\. (.+)$/;

/** What a join prints as its steps, in order (HEAD; older releases skip some): the fraction's scale. */
export const JOIN_STEPS = [
  'Check KubeEdge edgecore process status',
  'Check if the management directory is clean',
  'Check if the node name is valid',
  'Create the necessary directories',
  'Pull Images',
  'Copy resources from the image to the management directory',
  'Start the default mqtt service',
  'Generate systemd service file',
  'Generate EdgeCore default configuration',
  'Run EdgeCore daemon',
  'Install Complete!',
];

/** Strips klog's header from a line (`I1125 14:20:10.123456    1234 join.go:94] text` → `text`). */
export function klogText(line: string): string {
  const m = KLOG.exec(line.trim());
  return m ? m[1]!.trim() : line.trim();
}

export class KeadmJoinParser {
  private done = false;
  private error: string | undefined;
  private furthest = -1;

  push(raw: string): KeadmProgress | undefined {
    const text = klogText(raw);
    if (!text) return undefined;
    if (/^Error: /.test(text) || /^E\d{4} /.test(raw.trim())) {
      this.error ??= text.replace(/^Error: /, '');
      return undefined;
    }
    if (/KubeEdge edgecore is running/.test(text) || /Install Complete!/.test(text)) this.done = true;
    const step = STEP.exec(text);
    if (step) {
      const index = JOIN_STEPS.findIndex((s) => step[2]!.startsWith(s));
      this.furthest = Math.max(this.furthest, index >= 0 ? index : this.furthest + 1);
      return { fraction: Math.min(1, (this.furthest + 1) / JOIN_STEPS.length), detail: step[2]! };
    }
    if (/^Pulling /.test(text)) return { fraction: Math.max(0, (this.furthest + 1) / JOIN_STEPS.length), detail: text };
    return undefined;
  }

  result(exitCode?: number | null): KeadmResult {
    const ok = this.done && !this.error && (exitCode == null || exitCode === 0);
    return ok ? { succeeded: true } : { succeeded: false, error: this.error ?? 'keadm join did not report a running edgecore' };
  }
}

export class KeadmInitParser {
  private started = false;
  private deployed = false;
  private error: string | undefined;

  push(raw: string): KeadmProgress | undefined {
    const text = klogText(raw);
    if (/^Error: /.test(text)) {
      this.error ??= text.replace(/^Error: /, '');
      return undefined;
    }
    if (/Kubernetes version verification passed/.test(text)) return { fraction: 0.2, detail: text };
    if (/^CLOUDCORE started|^CloudCore started/i.test(text)) {
      this.started = true;
      return { fraction: 0.8, detail: text };
    }
    if (/^STATUS: deployed/.test(text)) {
      this.deployed = true;
      return { fraction: 1, detail: 'cloudcore chart deployed' };
    }
    return undefined;
  }

  result(exitCode?: number | null): KeadmResult {
    const ok = this.started && !this.error && (exitCode == null || exitCode === 0);
    return ok ? { succeeded: true } : { succeeded: false, error: this.error ?? 'keadm init did not report cloudcore started' };
  }

  /** Helm-based keadm prints the chart status; the legacy one does not. */
  get chartDeployed(): boolean {
    return this.deployed;
  }
}

/** `keadm gettoken` prints the token (`<hex>.<JWT>`) as its last non-empty line. */
export function parseGettoken(stdout: string): string | undefined {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1];
  if (!last) return undefined;
  return /^[0-9a-f]{16,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(last) ? last : undefined;
}
