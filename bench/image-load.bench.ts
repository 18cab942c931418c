// How long the deployer's image load takes per GiB (issue 13): the OCI archives of a bundle into a fresh
// distribution registry (Debian's docker-registry) with the installer's own command lines
// (core/tools/registry/services.ts: the digest check, then skopeo copy with --preserve-digests), against a
// bare `skopeo copy` of the same archives into another fresh registry (the peer: no check before, none after).
// The images are incompressible (random layers), so the figure is an upper bound for real images of that size.
// A second pass over a loaded registry shows the rerun's cost (0 images copied).
//   npx tsx bench/image-load.bench.ts [--runs R]        BENCH_IMAGE_MB=1024 BENCH_IMAGES=8 npx tsx bench/image-load.bench.ts
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImageCommand, remoteDigestCommand } from '../core/tools/registry/services.js';
import { loadNote, median, spreadS, turnOrder } from './lib/measure.js';

const MB = Number(process.env.BENCH_IMAGE_MB ?? 512);
const COUNT = Math.max(1, Number(process.env.BENCH_IMAGES ?? 4));

function sh(command: string): { code: number | null; out: string } {
  const r = spawnSync('sh', ['-c', command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function must(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function startRegistry(dir: string): Promise<{ address: string; proc: ChildProcess }> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const proc = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (sh(`python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:${port}/v2/", timeout=1)'`).code === 0) return { address: `127.0.0.1:${port}`, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  throw new Error('docker-registry did not answer');
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

interface Image {
  archive: string;
  repo: string;
  bytes: number;
  /** The manifest's digest, as the bundle records it when it is built (not part of the load). */
  digest: string;
}

function makeImages(dir: string): Image[] {
  const storage = ['--storage-driver', 'vfs', '--root', join(dir, 'buildah', 'root'), '--runroot', join(dir, 'buildah', 'run')];
  const out: Image[] = [];
  const each = Math.ceil((MB * 1024 * 1024) / COUNT);
  for (let i = 0; i < COUNT; i++) {
    const blob = join(dir, `layer-${i}`);
    const fd = openSync(blob, 'w');
    for (let at = 0; at < each; at += 4 * 1024 * 1024) writeSync(fd, randomBytes(Math.min(4 * 1024 * 1024, each - at)));
    closeSync(fd);
    const c = must('buildah', [...storage, 'from', 'scratch']).trim();
    must('buildah', [...storage, 'copy', c, blob, '/data']);
    const archive = join(dir, `image-${i}.oci.tar`);
    must('buildah', [...storage, 'commit', '--quiet', c, `oci-archive:${archive}`]);
    must('buildah', [...storage, 'rm', c]);
    rmSync(blob);
    const digest = must('sh', ['-c', `skopeo inspect --raw oci-archive:${archive} | sha256sum | cut -d' ' -f1`]).trim();
    out.push({ archive, repo: `bench/image-${i}:v1`, bytes: statSync(archive).size, digest });
  }
  return out;
}

/** The installer's load: per image the digest check, the copy, the check again (as the image-load step does). */
function installerLoad(images: Image[], address: string, tmp: string): { loaded: number; present: number } {
  let loaded = 0;
  let present = 0;
  for (const im of images) {
    const target = `${address}/${im.repo}`;
    const want = im.digest;
    const there = () => sh(remoteDigestCommand('skopeo', target, { insecure: true })).out.trim();
    if (there() === want) {
      present++;
      continue;
    }
    const r = sh(loadImageCommand('skopeo', im.archive, target, { insecure: true }, tmp));
    if (r.code !== 0) throw new Error(`load ${target}: ${r.out}`);
    if (there() !== want) throw new Error(`${target}: digest differs after the load`);
    loaded++;
  }
  return { loaded, present };
}

function bareLoad(images: Image[], address: string, tmp: string): void {
  for (const im of images) {
    const r = sh(`skopeo --insecure-policy --tmpdir ${tmp} copy --dest-tls-verify=false oci-archive:${im.archive} docker://${address}/${im.repo}`);
    if (r.code !== 0) throw new Error(`skopeo copy: ${r.out}`);
  }
}

async function main(): Promise<void> {
  for (const tool of ['docker-registry', 'skopeo', 'buildah']) {
    if (sh(`command -v ${tool}`).code !== 0) {
      console.log(`image-load bench skipped: ${tool} is not installed (apt-get install -y docker-registry skopeo buildah)`);
      return;
    }
  }
  const args = process.argv.slice(2);
  const at = args.indexOf('--runs');
  const rounds = at >= 0 ? Math.max(1, Number(args[at + 1]) || 1) : 3;
  const dir = mkdtempSync(join(tmpdir(), 'image-load-bench-'));
  try {
    console.log(`making ${COUNT} images of ${(MB / COUNT).toFixed(0)} MiB each (random, incompressible)…`);
    const images = makeImages(dir);
    const gib = images.reduce((n, i) => n + i.bytes, 0) / 2 ** 30;
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const times: Record<'installer' | 'skopeo', number[]> = { installer: [], skopeo: [] };
    const rerun: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const side of turnOrder(['installer', 'skopeo'] as const, round)) {
        const reg = await startRegistry(join(dir, `reg-${round}-${side}`));
        try {
          const t0 = process.hrtime.bigint();
          if (side === 'installer') {
            const r = installerLoad(images, reg.address, tmp);
            if (r.loaded !== images.length) throw new Error(`loaded ${r.loaded} of ${images.length}`);
          } else bareLoad(images, reg.address, tmp);
          times[side].push(Number(process.hrtime.bigint() - t0) / 1e9);
          if (side === 'installer') {
            const t1 = process.hrtime.bigint();
            const again = installerLoad(images, reg.address, tmp);
            rerun.push(Number(process.hrtime.bigint() - t1) / 1e9);
            if (again.loaded !== 0) throw new Error(`the rerun loaded ${again.loaded}`);
          }
        } finally {
          await stop(reg.proc);
          rmSync(join(dir, `reg-${round}-${side}`), { recursive: true, force: true });
        }
      }
    }
    const perGib = (xs: number[]) => median(xs) / gib;
    console.log(`${images.length} images, ${gib.toFixed(2)} GiB of OCI archives, ${rounds} rounds in turns (${loadNote()})`);
    console.log(`  installer's image load: ${median(times.installer).toFixed(2)} s, ${spreadS(times.installer)} = ${perGib(times.installer).toFixed(1)} s per GiB`);
    console.log(`  bare skopeo copy:       ${median(times.skopeo).toFixed(2)} s, ${spreadS(times.skopeo)} = ${perGib(times.skopeo).toFixed(1)} s per GiB`);
    console.log(`  rerun over a loaded registry: ${median(rerun).toFixed(2)} s, ${spreadS(rerun)}, 0 images copied`);
    console.log(`image-load time ratio installer / bare skopeo: ${(median(times.installer) / median(times.skopeo)).toFixed(2)}× (checks included); ${perGib(times.installer).toFixed(1)} s per GiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
