// The secrets scan: after a test that handed the installer passwords, passphrases or tokens, no file the run
// left (workdir, journals, logs, report, support bundle, inventory, kubeconfig) and no command line seen while
// it ran (`ps -eo args` sampled on the installer's machine and on the test hosts) may contain one of them.
// Findings name the secret by its label and the place, never the value, so a failure does not leak it either.
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { TestHosts } from '../hosts/harness.js';

export interface SecretSpec {
  /** How a finding names it: "ssh password", "key passphrase", "cloudcore token". */
  label: string;
  value: string;
}

export interface PsSample {
  /** 'local' or the test host's name. */
  where: string;
  at: number;
  text: string;
}

export interface Finding {
  label: string;
  /** A file path (with `!gunzip` when found inside a gzip stream), a file name, or `ps@<where>`. */
  place: string;
  /** `raw`, or the encoding the value was found in. */
  form: string;
}

/** Shorter values would match by chance (and no real secret of a test is this short). */
const MIN_SECRET_LENGTH = 6;

function forms(value: string): Array<{ form: string; bytes: Buffer }> {
  const out = [{ form: 'raw', bytes: Buffer.from(value) }];
  // A leak through a kubeconfig, a Secret manifest or a basic-auth header is base64.
  out.push({ form: 'base64', bytes: Buffer.from(Buffer.from(value).toString('base64').replace(/=+$/, '')) });
  const uri = encodeURIComponent(value);
  if (uri !== value) out.push({ form: 'uri', bytes: Buffer.from(uri) });
  return out;
}

function normalise(secrets: Array<SecretSpec | string | undefined>): SecretSpec[] {
  const out: SecretSpec[] = [];
  secrets.forEach((s, i) => {
    if (s === undefined) return;
    const spec = typeof s === 'string' ? { label: `secret #${i + 1}`, value: s } : s;
    if (spec.value.length < MIN_SECRET_LENGTH) throw new Error(`secret "${spec.label}" is too short to scan for (${spec.value.length} < ${MIN_SECRET_LENGTH})`);
    out.push(spec);
  });
  return out;
}

function* filesUnder(path: string): Generator<string> {
  if (!existsSync(path)) return;
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isFile()) {
    yield path;
    return;
  }
  if (!st.isDirectory()) return;
  for (const name of readdirSync(path)) yield* filesUnder(join(path, name));
}

function searchBytes(bytes: Buffer, specs: SecretSpec[], place: string, hits: Finding[]): void {
  for (const s of specs) for (const f of forms(s.value)) if (bytes.includes(f.bytes)) hits.push({ label: s.label, place, form: f.form });
}

/** Every place under `paths` (files and folders, recursively) and in `samples` where a secret appears. */
export function scanForSecrets(opts: {
  secrets: Array<SecretSpec | string | undefined>;
  paths?: string[];
  samples?: PsSample[];
  /** Process-list lines left out of the scan: only for a documented exposure the product cannot avoid
   *  (keadm takes its join token only on its command line: core/tools/kubeedge/commands.ts). */
  ignorePsLines?: RegExp;
}): Finding[] {
  const specs = normalise(opts.secrets);
  const hits: Finding[] = [];
  for (const root of opts.paths ?? []) {
    for (const file of filesUnder(root)) {
      for (const s of specs) if (file.includes(s.value)) hits.push({ label: s.label, place: `file name ${file.replaceAll(s.value, '***')}`, form: 'raw' });
      const bytes = readFileSync(file);
      searchBytes(bytes, specs, file, hits);
      // A support bundle or a compressed log hides its bytes from a plain search.
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
        try {
          searchBytes(gunzipSync(bytes), specs, `${file}!gunzip`, hits);
        } catch {
          hits.push({ label: '(scanner)', place: `${file}: a gzip stream that does not decompress`, form: 'unreadable' });
        }
      }
    }
  }
  const seen = new Set<string>();
  for (const raw of opts.samples ?? []) {
    const sample = opts.ignorePsLines ? { ...raw, text: raw.text.split('\n').filter((l) => !opts.ignorePsLines!.test(l)).join('\n') } : raw;
    const place = `ps@${sample.where}`;
    for (const s of specs) {
      for (const f of forms(s.value)) {
        const key = `${s.label}\0${place}\0${f.form}`;
        if (!seen.has(key) && sample.text.includes(f.bytes.toString())) {
          seen.add(key);
          hits.push({ label: s.label, place, form: f.form });
        }
      }
    }
  }
  return hits;
}

/** The number of files the scan reads under `paths` (a scan of nothing proves nothing). */
export function countFiles(paths: string[]): number {
  let n = 0;
  for (const root of paths) for (const _ of filesUnder(root)) n++;
  return n;
}

export interface ScanExpectation {
  secrets: Array<SecretSpec | string | undefined>;
  paths?: string[];
  sampler?: PsSampler;
  /** Fewer files than this means the run left nothing to look at: the scan fails rather than pass vacuously. */
  minFiles?: number;
  /** Fewer `ps` samples than this (when a sampler is given) fails the scan too. */
  minSamples?: number;
  ignorePsLines?: RegExp;
}

/** Throws, naming each secret by label and where it was found, when the scan finds anything. */
export function assertNoSecrets(e: ScanExpectation): { files: number; samples: number } {
  const samples = e.sampler?.samples ?? [];
  const files = countFiles(e.paths ?? []);
  if (e.minFiles !== undefined && files < e.minFiles) throw new Error(`secrets scan: only ${files} files under ${(e.paths ?? []).join(', ')} (expected at least ${e.minFiles})`);
  if (e.sampler && samples.length < (e.minSamples ?? 1)) throw new Error(`secrets scan: only ${samples.length} ps samples (expected at least ${e.minSamples ?? 1})`);
  const hits = scanForSecrets({ secrets: e.secrets, paths: e.paths, samples, ...(e.ignorePsLines ? { ignorePsLines: e.ignorePsLines } : {}) });
  if (hits.length > 0) {
    const lines = hits.slice(0, 40).map((h) => `  ${h.label} (${h.form}) in ${h.place}`);
    throw new Error(`secrets scan: ${hits.length} finding(s)\n${lines.join('\n')}`);
  }
  return { files, samples: samples.length };
}

export interface PsSampler {
  readonly samples: PsSample[];
  stop(): void;
}

/**
 * Samples `ps -eo args` every `intervalMs` on this machine and, in turn, on each test host (through its
 * namespaces, as a remote `ps` would run). Asynchronous, so the sampling never blocks the run under test.
 */
export function startPsSampler(opts: { hosts?: TestHosts; intervalMs?: number } = {}): PsSampler {
  const samples: PsSample[] = [];
  let stopped = false;
  let turn = 0;
  let busy = false;
  const tick = () => {
    if (stopped) return;
    execFile('ps', ['-eo', 'args'], { maxBuffer: 32 * 1024 * 1024 }, (_e, stdout) => {
      if (stdout) samples.push({ where: 'local', at: Date.now(), text: stdout });
    });
    const th = opts.hosts;
    if (th && th.hosts.length > 0 && !busy) {
      const i = turn++ % th.hosts.length;
      busy = true;
      th.exec(i, 'ps -eo args')
        .then((r) => {
          if (r.code === 0) samples.push({ where: th.hosts[i]!.name, at: Date.now(), text: r.stdout });
        })
        .catch(() => undefined)
        .finally(() => (busy = false));
    }
  };
  const timer = setInterval(tick, opts.intervalMs ?? 250);
  tick();
  return {
    samples,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** The harness's own secrets, labelled. */
export function harnessSecrets(th: Pick<TestHosts, 'password' | 'keyPassphrase'>): SecretSpec[] {
  return [
    { label: 'ssh password', value: th.password },
    { label: 'key passphrase', value: th.keyPassphrase },
  ];
}

/**
 * The portal's first-administrator password as the fake cluster of a test host keeps it (the Secret
 * cp-portal-secret that test/fakes/portal-k8s stores, data base64 as the API keeps it): what a run reads and
 * hands over once, and must leave nowhere. Empty when the portal was not installed there.
 */
export function portalAdminSecrets(hostDir: string): SecretSpec[] {
  const file = join(hostDir, 'lib', 'fake-portal', 'state.json');
  if (!existsSync(file)) return [];
  const state = JSON.parse(readFileSync(file, 'utf8')) as { secrets?: Record<string, { data?: Record<string, string> }> };
  const b64 = state.secrets?.['cp-portal/cp-portal-secret']?.data?.KEYCLOAK_ADMIN_PASSWORD;
  return b64 ? [{ label: 'portal admin password', value: Buffer.from(b64, 'base64').toString('utf8') }] : [];
}
