// A streaming parser of ansible-playbook's standard output (default callback, Kubespray's ansible.cfg:
// display_skipped_hosts = no, profile_tasks). It keeps only the current play and task, per-host counters and
// the first few failures, so memory does not grow with the log; each line is classified by its first
// character before any regular expression runs, so it keeps up with a log far faster than Ansible writes it.

export interface HostCounts {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export interface RecapEntry extends HostCounts {
  host: string;
}

export interface AnsibleFailure {
  play?: string;
  task?: string;
  /** Absent for an error of Ansible itself (`ERROR! …`: bad inventory, missing playbook). */
  host?: string;
  /** What to show first: msg, else stderr, else the raw text. */
  message: string;
  kind: 'failed' | 'unreachable' | 'error';
  item?: string;
}

export type ParserEvent =
  | { type: 'play'; name: string; index: number }
  | { type: 'task'; name: string; role?: string; handler: boolean }
  | { type: 'failure'; failure: AnsibleFailure }
  | { type: 'recap'; recap: RecapEntry[] };

export interface ParserOptions {
  /** Tasks the run is expected to start (see estimateTasks); refined as the run goes. */
  expectedTasks?: number;
  /** Called for the rare structural events (play, task, failure, recap), never per result line. */
  onEvent?: (event: ParserEvent) => void;
  /** Failures kept (the first ones are the ones to show). */
  maxFailures?: number;
}

export interface ParserSnapshot {
  play?: string;
  task?: string;
  role?: string;
  /** Tasks started so far (profile_tasks lines, or TASK banners when profile_tasks is off). */
  tasksStarted: number;
  tasksExpected: number;
  /** 0..1, never decreasing; 1 only once PLAY RECAP arrived. */
  progress: number;
  hosts: Record<string, HostCounts>;
  recap?: RecapEntry[];
  failures: AnsibleFailure[];
  /** The failure to show the user first: the first one that was not ignored or rescued. */
  firstFailure?: AnsibleFailure;
  finished: boolean;
  lines: number;
}

/**
 * Where each of Kubespray's cluster.yml plays starts, as a share of the whole run's tasks. (inference: from
 * the role sizes of playbooks/cluster.yml, where preinstall, container-engine and download make up about
 * half of all tasks). A lower bound for progress while the task count estimate is off.
 */
const PLAY_FLOORS: ReadonlyArray<[string, number]> = [
  ['Check Ansible version', 0],
  ['Inventory setup and validation', 0.01],
  ['Install bastion ssh config', 0.02],
  ['Bootstrap hosts for Ansible', 0.02],
  ['Gather facts', 0.04],
  ['Prepare for etcd install', 0.06],
  ['Install etcd', 0.5],
  ['Install Kubernetes nodes', 0.6],
  ['Install the control plane', 0.68],
  ['Invoke kubeadm and install a CNI', 0.78],
  ['Install Calico Route Reflector', 0.88],
  ['Patch Kubernetes for Windows', 0.88],
  ['Install Kubernetes apps', 0.89],
  ['Apply resolv.conf changes now that cluster DNS is up', 0.97],
];
const FLOOR = new Map(PLAY_FLOORS);

/**
 * Tasks a fresh run starts, per Kubespray version and playbook, counted on the busiest host (the first
 * control plane) — TOOLS.md §4.4's PLAY RECAPs: ok+skipped = every task that host started (what profile_tasks
 * stamps); ok alone ≈ the TASK banners shown when skipped hosts are hidden.
 */
export function estimateTasks(kubesprayVersion: string, playbook = 'cluster.yml', profileTasks = true): number {
  const [major = 2, minor = 0] = kubesprayVersion.replace(/^v/, '').split('.').map(Number);
  if (playbook === 'scale.yml') return profileTasks ? 900 : 340;
  if (playbook === 'facts.yml') return 40;
  if (playbook === 'reset.yml') return profileTasks ? 250 : 120;
  if (major === 2 && minor < 16) return profileTasks ? 1733 : 582; // 2021 single node
  if (major === 2 && minor < 28) return profileTasks ? 2028 : 752; // release-2.26, 3 nodes
  return profileTasks ? 1524 : 580; // v2.28 control plane
}

// Colour codes, when the run asked Ansible for colour.
const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*[A-Za-z]`, 'g');
const RECAP_LINE =
  /^(\S.*?)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)(?:\s+skipped=(\d+))?(?:\s+rescued=(\d+))?(?:\s+ignored=(\d+))?/;
const PROFILE_LINE = /\(\d+:\d\d:\d\d\.\d+\)\s+\d+:\d\d:\d\d\.\d+ \*+\s*$/;
/** Longest line kept for parsing; the rest of a longer line (a huge task result) is skipped, not buffered. */
const MAX_LINE = 256 * 1024;

function zero(): HostCounts {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
}

/** `[host]`, `[host -> delegate]` at `start` (the index of `[`): the host. */
function hostAt(line: string, start: number): string | undefined {
  const end = line.indexOf(']', start + 1);
  if (end < 0) return undefined;
  const inner = line.slice(start + 1, end);
  const arrow = inner.indexOf(' -> ');
  return arrow >= 0 ? inner.slice(0, arrow) : inner;
}

/** The bracketed title of a banner: `TASK [role : name] ****` → `role : name`. */
function bannerTitle(line: string, start: number): string {
  const end = line.lastIndexOf('] ');
  const stop = end > start ? end : line.lastIndexOf(']');
  return stop > start ? line.slice(start, stop) : line.slice(start);
}

function pickMessage(json: string): string {
  try {
    const value = JSON.parse(json) as Record<string, unknown>;
    const msg = typeof value.msg === 'string' ? value.msg.trim() : '';
    const stderr = typeof value.stderr === 'string' ? value.stderr.trim() : '';
    const stdout = typeof value.stdout === 'string' ? value.stdout.trim() : '';
    // "non-zero return code" says less than what the command itself printed.
    if (stderr && (!msg || msg === 'non-zero return code' || msg.startsWith('MODULE FAILURE'))) return stderr;
    if (msg) return msg;
    if (stdout) return stdout;
    if (Array.isArray(value.results)) {
      for (const r of value.results as Array<Record<string, unknown>>) {
        if (r && r.failed && typeof r.msg === 'string') return r.msg;
      }
    }
  } catch {
    // not JSON (a truncated line): show the text
  }
  return json.trim();
}

export class AnsibleOutputParser {
  private play?: string;
  private playIndex = -1;
  private task?: string;
  private role?: string;
  private banners = 0;
  private profiles = 0;
  private expected: number;
  private progressValue = 0;
  private readonly hosts = new Map<string, HostCounts>();
  /** Per task: the status a loop's host was counted with, so a loop counts once per host as in the recap. */
  private readonly loopCounted = new Map<string, 'ok' | 'changed' | 'failed'>();
  private readonly failures: AnsibleFailure[] = [];
  private pendingFatal?: AnsibleFailure;
  private recap?: RecapEntry[];
  private inRecap = false;
  private errorText?: string;
  private carry = '';
  private dropping = false;
  private lineCount = 0;
  private readonly maxFailures: number;
  private readonly onEvent?: (event: ParserEvent) => void;

  constructor(options: ParserOptions = {}) {
    this.expected = Math.max(1, options.expectedTasks ?? estimateTasks('2.28'));
    this.onEvent = options.onEvent;
    this.maxFailures = options.maxFailures ?? 20;
  }

  /** Feed a chunk of output as it arrives; lines may be split anywhere. */
  write(chunk: string): void {
    let start = 0;
    let nl = chunk.indexOf('\n');
    while (nl >= 0) {
      let line = chunk.slice(start, nl);
      if (this.carry) {
        line = this.carry + line;
        this.carry = '';
      }
      if (this.dropping) this.dropping = false;
      else this.line(line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    if (start < chunk.length && !this.dropping) {
      this.carry += chunk.slice(start);
      if (this.carry.length > MAX_LINE) {
        this.line(this.carry.slice(0, MAX_LINE));
        this.carry = '';
        this.dropping = true;
      }
    }
  }

  /** End of output: parses a last line without a newline. */
  end(): void {
    if (this.carry) this.line(this.carry);
    this.carry = '';
    this.flushFatal();
    this.flushError();
    if (this.inRecap && this.recap) this.finishRecap();
  }

  /** One complete line, without its newline. */
  line(raw: string): void {
    this.lineCount++;
    const line = raw.indexOf('\x1b') >= 0 ? raw.replace(ANSI, '') : raw;
    if (line.length === 0) {
      if (this.inRecap && this.recap) this.finishRecap();
      this.flushError();
      return;
    }
    if (this.errorText !== undefined) {
      // `ERROR! …` continues on the lines after it until a blank line.
      if (this.errorText.length < 4000) this.errorText += '\n' + line;
      return;
    }
    if (this.inRecap) {
      const m = RECAP_LINE.exec(line);
      if (m) {
        (this.recap ??= []).push({
          host: m[1]!,
          ok: +m[2]!,
          changed: +m[3]!,
          unreachable: +m[4]!,
          failed: +m[5]!,
          skipped: +(m[6] ?? 0),
          rescued: +(m[7] ?? 0),
          ignored: +(m[8] ?? 0),
        });
        return;
      }
      if (this.recap) this.finishRecap();
    }
    switch (line.charCodeAt(0)) {
      case 111: // o
        if (line.startsWith('ok: [')) this.result(line, 4, 'ok');
        return;
      case 99: // c
        if (line.startsWith('changed: [')) this.result(line, 9, 'changed');
        return;
      case 115: // s
        if (line.startsWith('skipping: [')) this.result(line, 10, 'skipped');
        return;
      case 102: // f
        if (line.startsWith('fatal: [')) this.fatal(line, 7);
        else if (line.startsWith('failed: [')) this.fatal(line, 8);
        return;
      case 105: // i
        if (line.startsWith('included: ')) this.included(line);
        return;
      case 46: // .
        if (line.startsWith('...ignoring')) this.ignored();
        return;
      case 84: // T
        if (line.startsWith('TASK [')) this.taskBanner(line, 6, false);
        return;
      case 82: // R
        if (line.startsWith('RUNNING HANDLER [')) this.taskBanner(line, 17, true);
        return;
      case 80: // P
        if (line.startsWith('PLAY RECAP')) this.startRecap();
        else if (line.startsWith('PLAY [')) this.playBanner(line);
        return;
      case 69: // E
        if (line.startsWith('ERROR! ')) this.errorText = line.slice(7);
        return;
      default:
        if (line.charCodeAt(line.length - 1) === 42 && PROFILE_LINE.test(line)) {
          this.profiles++;
          this.bumpProgress();
        }
    }
  }

  snapshot(): ParserSnapshot {
    const hosts: Record<string, HostCounts> = {};
    for (const [h, c] of this.hosts) hosts[h] = { ...c };
    const failures = this.failures.slice();
    if (this.pendingFatal) failures.push(this.pendingFatal);
    // With the recap in, a failure on a host the recap shows without failures was rescued by a block.
    const failedHosts = this.recap ? new Set(this.recap.filter((r) => r.failed > 0 || r.unreachable > 0).map((r) => r.host)) : undefined;
    const shown = failures.filter((f) => f.kind === 'error' || !failedHosts || (f.host !== undefined && failedHosts.has(f.host)));
    return {
      play: this.play,
      task: this.task,
      role: this.role,
      tasksStarted: this.tasksStarted(),
      tasksExpected: this.expected,
      progress: this.progressValue,
      hosts,
      recap: this.recap?.map((r) => ({ ...r })),
      failures,
      firstFailure: shown.find((f) => f.kind !== 'error') ?? shown[0],
      finished: !!this.recap && !this.inRecap,
      lines: this.lineCount,
    };
  }

  get progress(): number {
    return this.progressValue;
  }

  private tasksStarted(): number {
    // profile_tasks stamps every task, also those whose banner is hidden because every host skipped it; the
    // last stamp (after the recap) closes the run rather than starting a task.
    return Math.max(this.banners, this.profiles);
  }

  private bumpProgress(): void {
    const started = this.tasksStarted();
    if (started > this.expected * 0.98) this.expected = Math.ceil(started / 0.98);
    const floor = this.play ? (FLOOR.get(this.play) ?? 0) : 0;
    const value = Math.min(0.99, Math.max(started / this.expected, floor));
    if (value > this.progressValue) this.progressValue = value;
  }

  private counts(host: string): HostCounts {
    let c = this.hosts.get(host);
    if (!c) {
      c = zero();
      this.hosts.set(host, c);
    }
    return c;
  }

  private result(line: string, bracket: number, status: 'ok' | 'changed' | 'skipped'): void {
    const host = hostAt(line, bracket);
    if (host === undefined) return;
    this.flushFatal();
    const c = this.counts(host);
    const close = line.indexOf(']', bracket);
    const isItem = line.startsWith(' => (item=', close + 1) || line.startsWith(' (item=', close + 1);
    if (!isItem) {
      // Ansible's recap counts a changed result in ok as well.
      if (status === 'changed') c.ok++;
      c[status]++;
      return;
    }
    if (status === 'skipped') return; // a skipped item does not make the task skipped
    const before = this.loopCounted.get(host);
    if (before === undefined) {
      c.ok++;
      if (status === 'changed') c.changed++;
      this.loopCounted.set(host, status);
    } else if (before === 'ok' && status === 'changed') {
      c.changed++;
      this.loopCounted.set(host, 'changed');
    }
  }

  /** `included: FILE for h1, h2[ => (item=…)]`: an ok result for each host. */
  private included(line: string): void {
    this.flushFatal();
    const forAt = line.indexOf(' for ');
    if (forAt < 0) return;
    const arrow = line.indexOf(' => ', forAt);
    const list = line.slice(forAt + 5, arrow >= 0 ? arrow : undefined);
    for (const h of list.split(', ')) if (h) this.counts(h.trim()).ok++;
  }

  private fatal(line: string, bracket: number): void {
    const host = hostAt(line, bracket);
    if (host === undefined) return;
    this.flushFatal();
    const close = line.indexOf(']', bracket);
    const arrow = line.indexOf(' => ', close);
    const unreachable = line.startsWith(': UNREACHABLE!', close + 1);
    let item: string | undefined;
    const itemAt = line.indexOf(' (item=', close);
    if (itemAt >= 0 && (arrow < 0 || itemAt < arrow)) {
      const itemEnd = arrow >= 0 ? line.lastIndexOf(')', arrow) : line.length - 1;
      item = line.slice(itemAt + 7, itemEnd > itemAt ? itemEnd : undefined);
    }
    const message = arrow >= 0 ? pickMessage(line.slice(arrow + 4)) : line;
    const failure: AnsibleFailure = { play: this.play, task: this.task, host, message, kind: unreachable ? 'unreachable' : 'failed' };
    if (item !== undefined) failure.item = item;
    if (item !== undefined && this.loopCounted.has(host)) {
      // A loop already counted for this host: a failed item turns it into a failed task once.
      if (this.loopCounted.get(host) !== 'failed') {
        const c = this.counts(host);
        c.ok--;
        if (this.loopCounted.get(host) === 'changed') c.changed--;
        c.failed++;
        this.loopCounted.set(host, 'failed');
        this.pendingFatal = failure;
      }
      return;
    }
    if (item !== undefined) this.loopCounted.set(host, 'failed');
    // Held back one line: `...ignoring` right after it means the task failed on purpose.
    this.pendingFatal = failure;
    const c = this.counts(host);
    if (unreachable) c.unreachable++;
    else c.failed++;
  }

  private ignored(): void {
    const f = this.pendingFatal;
    if (!f || !f.host) return;
    this.pendingFatal = undefined;
    const c = this.counts(f.host);
    if (f.kind === 'unreachable') c.unreachable--;
    else c.failed--;
    c.ignored++;
    // Ansible counts an ignored failure as ok as well.
    c.ok++;
  }

  private flushFatal(): void {
    const f = this.pendingFatal;
    if (!f) return;
    this.pendingFatal = undefined;
    if (this.failures.length < this.maxFailures) this.failures.push(f);
    this.onEvent?.({ type: 'failure', failure: f });
  }

  private taskBanner(line: string, start: number, handler: boolean): void {
    this.flushFatal();
    this.flushError();
    const title = bannerTitle(line, start);
    const sep = title.indexOf(' : ');
    this.role = sep >= 0 ? title.slice(0, sep) : undefined;
    this.task = sep >= 0 ? title.slice(sep + 3) : title;
    this.loopCounted.clear();
    this.banners++;
    this.bumpProgress();
    this.onEvent?.({ type: 'task', name: this.task, role: this.role, handler });
  }

  private playBanner(line: string): void {
    this.flushFatal();
    this.flushError();
    this.play = bannerTitle(line, 6);
    this.task = undefined;
    this.role = undefined;
    this.playIndex++;
    this.bumpProgress();
    this.onEvent?.({ type: 'play', name: this.play, index: this.playIndex });
  }

  private startRecap(): void {
    this.flushFatal();
    this.flushError();
    this.inRecap = true;
    this.recap = undefined;
  }

  private finishRecap(): void {
    this.inRecap = false;
    const recap = this.recap ?? [];
    // The recap is Ansible's own count: it replaces what the result lines added up to.
    for (const r of recap) {
      const { host, ...counts } = r;
      this.hosts.set(host, counts);
    }
    this.progressValue = 1;
    this.onEvent?.({ type: 'recap', recap });
  }

  private flushError(): void {
    if (this.errorText === undefined) return;
    const failure: AnsibleFailure = { play: this.play, task: this.task, message: this.errorText.trim(), kind: 'error' };
    this.errorText = undefined;
    if (this.failures.length < this.maxFailures) this.failures.push(failure);
    this.onEvent?.({ type: 'failure', failure });
  }

  /** Whether the run failed, as far as the output tells: a host failed or was unreachable, or Ansible erred. */
  get failed(): boolean {
    if (this.recap) return this.recap.some((r) => r.failed > 0 || r.unreachable > 0);
    return this.failures.length > 0 || !!this.pendingFatal || this.errorText !== undefined;
  }
}

/** Parses a whole recorded output (tests, reports). */
export function parseAnsibleOutput(text: string, options: ParserOptions = {}): ParserSnapshot {
  const p = new AnsibleOutputParser(options);
  p.write(text);
  p.end();
  return p.snapshot();
}
