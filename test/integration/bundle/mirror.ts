// What stands in for the upstream download sites and registries in the bundle tests: a plain node http
// server over a folder laid out as `<host>/<path>` (Range requests answered as a real web server does, a
// connection that can be cut mid-file, every request recorded), and Debian's `docker-registry` fed with a
// real OCI image made by buildah from busybox, pushed with skopeo.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

export interface RequestRecord {
  path: string;
  range?: string;
  status: number;
  bytes: number;
}

export interface Mirror {
  url: string;
  root: string;
  requests: RequestRecord[];
  /** The next request for this path is cut after `bytes` bytes of the body (the socket is destroyed). */
  cutOnce(path: string, bytes: number): void;
  close(): Promise<void>;
}

export async function startMirror(root: string): Promise<Mirror> {
  const requests: RequestRecord[] = [];
  const cuts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] as string);
    let file = normalize(join(root, path));
    // A folder is served by its index.html, as a static web server does (pip's simple index: /simple/<name>/).
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    const rec: RequestRecord = { path, ...(req.headers.range ? { range: req.headers.range } : {}), status: 200, bytes: 0 };
    requests.push(rec);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      rec.status = 404;
      res.writeHead(404).end('not found');
      return;
    }
    const size = statSync(file).size;
    // pip reads an index page only when it says it is HTML.
    if (file.endsWith('.html')) res.setHeader('Content-Type', 'text/html');
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      start = Number(m[1]);
      if (start >= size) {
        rec.status = 416;
        res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
        return;
      }
      rec.status = 206;
      res.writeHead(206, { 'Content-Length': size - start, 'Content-Range': `bytes ${start}-${size - 1}/${size}`, 'Accept-Ranges': 'bytes' });
    } else res.writeHead(200, { 'Content-Length': size, 'Accept-Ranges': 'bytes' });
    const cut = cuts.get(path);
    if (cut !== undefined) cuts.delete(path);
    const stream = createReadStream(file, { start });
    stream.on('data', (chunk) => {
      const c = chunk as Buffer;
      if (cut !== undefined && rec.bytes + c.length >= cut) {
        const keep = c.subarray(0, Math.max(0, cut - rec.bytes));
        rec.bytes += keep.length;
        stream.destroy();
        res.write(keep, () => res.socket?.destroy());
        return;
      }
      rec.bytes += c.length;
      if (!res.write(c)) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    root,
    requests,
    cutOnce: (path, bytes) => void cuts.set(path, bytes),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Writes `data` at `<root>/<host>/<path>` for a URL, as the mirror serves it. */
export function putFile(root: string, url: string, data: Buffer): string {
  const u = new URL(url);
  const dest = join(root, u.host, u.pathname);
  mkdirSync(join(dest, '..'), { recursive: true });
  writeFileSync(dest, data);
  return dest;
}

export function missingTools(tools: string[]): string[] {
  return tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
}

export interface Registry {
  address: string;
  stop(): Promise<void>;
}

/** Debian's distribution registry on a free loopback port, storing under `dir`. */
export async function startRegistry(dir: string): Promise<Registry> {
  mkdirSync(dir, { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const config = join(dir, `registry-${port}.yml`);
    writeFileSync(
      config,
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'storage')}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
    );
    const proc: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (proc.exitCode !== null) break;
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v2/`);
        if (res.ok) {
          return {
            address: `127.0.0.1:${port}`,
            stop: () =>
              new Promise((r) => {
                if (proc.exitCode !== null) return r();
                proc.once('exit', () => r());
                proc.kill('SIGTERM');
              }),
          };
        }
      } catch {
        // not listening yet
      }
    }
    proc.kill('SIGKILL');
  }
  throw new Error('docker-registry did not start');
}

/** A real, small OCI image (busybox in an otherwise empty image), made without a daemon. */
export function buildBusyboxImage(dir: string): string {
  const storage = ['--storage-driver', 'vfs', '--root', join(dir, 'buildah-root'), '--runroot', join(dir, 'buildah-run')];
  const sh = (args: string[]) => {
    const r = spawnSync('buildah', [...storage, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`buildah ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const c = sh(['from', 'scratch']);
  sh(['copy', c, '/bin/busybox', '/bin/busybox']);
  const out = join(dir, 'busybox.oci.tar');
  sh(['commit', c, `oci-archive:${out}`]);
  sh(['rm', c]);
  spawnSync('rm', ['-rf', join(dir, 'buildah-root'), join(dir, 'buildah-run')]);
  return out;
}

/** Pushes the archive to the registry under each repository path (`k8s/pause:3.10`). */
export async function pushImage(archive: string, registry: string, paths: string[]): Promise<void> {
  const one = (p: string) =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${archive}`, `docker://${registry}/${p}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`skopeo push ${p}: ${err}`))));
    });
  // Two at a time: the machine has two cores for everyone.
  const queue = [...paths];
  await Promise.all([0, 1].map(async () => {
    for (let p = queue.shift(); p; p = queue.shift()) await one(p);
  }));
}
