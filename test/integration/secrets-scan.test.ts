// The secrets scan itself: it must catch a planted secret wherever a run could leave one (a file, a file
// inside a gzip stream, a file name, base64 in a kubeconfig, a command line), and say where without the value.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { assertNoSecrets, scanForSecrets, startPsSampler } from '../support/secrets-scan.js';

describe('secrets scan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cpq-scan-'));
  const secret = `planted-${Math.random().toString(36).slice(2, 12)}`;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const clean = () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'runs', 'r1', 'logs'), { recursive: true });
    writeFileSync(join(dir, 'runs', 'r1', 'journal.jsonl'), '{"t":"run-start"}\n');
    writeFileSync(join(dir, 'runs', 'r1', 'logs', 'step.log'), 'password: ***\n');
  };

  it('passes a clean workdir and reports how much it read', () => {
    clean();
    expect(assertNoSecrets({ secrets: [{ label: 'pw', value: secret }], paths: [dir], minFiles: 2 })).toEqual({ files: 2, samples: 0 });
  });

  it('catches a secret planted in a log, in a gzip support bundle, base64 in a kubeconfig and in a file name', () => {
    clean();
    writeFileSync(join(dir, 'runs', 'r1', 'logs', 'kubespray.log'), `TASK [x]\nansible_password=${secret}\n`);
    writeFileSync(join(dir, 'support.tar.gz'), gzipSync(Buffer.from(`logs/a.log\0\0\0${secret}\n`)));
    writeFileSync(join(dir, 'kubeconfig'), `users:\n- user:\n    token: ${Buffer.from(secret).toString('base64')}\n`);
    writeFileSync(join(dir, `cache-${secret}`), 'x');
    const hits = scanForSecrets({ secrets: [{ label: 'sudo password', value: secret }], paths: [dir] });
    const places = hits.map((h) => `${h.form}:${h.place.replace(dir, '')}`);
    expect(places).toContain('raw:/runs/r1/logs/kubespray.log');
    expect(places).toContain('raw:/support.tar.gz!gunzip');
    expect(places).toContain('base64:/kubeconfig');
    expect(places.some((p) => p.startsWith('raw:file name') && p.includes('cache-***'))).toBe(true);
    let thrown = '';
    try {
      assertNoSecrets({ secrets: [{ label: 'sudo password', value: secret }], paths: [dir] });
    } catch (e) {
      thrown = (e as Error).message;
    }
    expect(thrown).toMatch(/sudo password \(raw\) in .*kubespray\.log/);
    // The report names the place, never the value.
    expect(thrown).not.toContain(secret);
  });

  it('catches a secret on a command line in a ps sample, and refuses to pass with no samples', async () => {
    const sampler = startPsSampler({ intervalMs: 50 });
    const child = spawn('sh', ['-c', 'sleep 3', 'sh', `--password=${secret}`], { stdio: 'ignore' });
    try {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !scanForSecrets({ secrets: [secret], samples: sampler.samples }).length) await new Promise((r) => setTimeout(r, 50));
    } finally {
      sampler.stop();
      child.kill('SIGKILL');
    }
    expect(scanForSecrets({ secrets: [{ label: 'token', value: secret }], samples: sampler.samples })).toContainEqual({ label: 'token', place: 'ps@local', form: 'raw' });
    const empty = { samples: [], stop() {} };
    expect(() => assertNoSecrets({ secrets: [secret], sampler: empty })).toThrow(/only 0 ps samples/);
    expect(() => assertNoSecrets({ secrets: [secret], paths: [join(dir, 'nothing-here')], minFiles: 1 })).toThrow(/only 0 files/);
  });

  it('refuses a secret too short to scan for', () => {
    expect(() => scanForSecrets({ secrets: ['abc'], paths: [dir] })).toThrow(/too short/);
  });
});
