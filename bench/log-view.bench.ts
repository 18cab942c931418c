// The live log view under a flood: the built renderer (dist-renderer/, development mock, Install screen)
// in Debian's Chromium receives 100,000 log lines in batches as the engine's batcher sends them, while a
// person clicks now and then. Measures frame gaps (requestAnimationFrame), the delay of a click's handler
// and the time from the click to the next painted frame, and how long until every line is in the view.
// Peer, side by side: the same flood into a plain DOM list (one <div> per line, the naive log view),
// same page size and scrollback. Target: p95 frame gap ≤ 50 ms and click-to-frame ≤ 100 ms during the flood.
//
// Run: npx tsx bench/log-view.bench.ts [lines]   (builds the renderer first when dist-renderer/ is missing)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist-renderer');
const CHROMIUM = '/usr/bin/chromium';
// The same strict policy browser mode sends: no inline script or style.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'";
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

export interface ViewFigures {
  name: string;
  lines: number;
  floodMs: number;
  /** Until the view holds every line (the whole flood digested). */
  settledMs: number;
  frames: number;
  frameP50: number;
  frameP95: number;
  frameMax: number;
  longFrames: number;
  clicks: number;
  inputDelayP50: number;
  inputDelayMax: number;
  clickToFrameP50: number;
  clickToFrameMax: number;
}

export interface LogViewResult {
  view: ViewFigures;
  peer: ViewFigures;
  targetFrameP95: number;
  targetClickToFrame: number;
  ok: boolean;
}

// The naive peer: a div per line in a scrolling box, capped at the same scrollback, always at the bottom.
const PEER_HTML = `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="peer.css"></head>
<body><button id="poke">poke</button><div id="log"></div><script type="module" src="peer.js"></script></body></html>`;
const PEER_CSS = `body{margin:0;font:12.5px monospace;background:#0f1720;color:#d6dde6}#log{height:calc(100vh - 40px);overflow:auto;white-space:pre}`;
const PEER_JS = `
const log = document.getElementById('log');
const CAP = 50000;
window.__peerFlood = async ({ lines, batch, intervalMs }) => {
  const hosts = ['master-1', 'worker-1', 'worker-2', 'worker-3'];
  let seq = 0;
  while (seq < lines) {
    const frag = document.createDocumentFragment();
    for (let i = 0; i < batch && seq < lines; i++) {
      seq++;
      const host = hosts[seq % hosts.length];
      const div = document.createElement('div');
      div.textContent = seq % 50 === 0 ? 'TASK [kubernetes/node : line ' + seq + '] ' + '*'.repeat(40)
        : seq % 7 === 0 ? host + ' | changed: [' + host + '] => (item=/etc/kubernetes/manifests/kube-apiserver.yaml)'
        : host + ' | ok: [' + host + '] => {"changed": false, "seq": ' + seq + '}';
      frag.appendChild(div);
    }
    log.appendChild(frag);
    while (log.childElementCount > CAP) log.firstElementChild.remove();
    log.scrollTop = log.scrollHeight;
    log.dataset.lines = String(seq);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return seq;
};
`;

function startServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const virtual: Record<string, [string, string]> = {
      '/peer.html': [PEER_HTML, 'text/html'],
      '/peer.css': [PEER_CSS, 'text/css'],
      '/peer.js': [PEER_JS, 'text/javascript'],
    };
    const v = virtual[path];
    const headers = (type: string) => ({ 'content-type': type, 'content-security-policy': CSP, 'cache-control': 'no-store' });
    if (v) return void res.writeHead(200, headers(v[1])).end(v[0]);
    const file = join(DIST, path === '/' ? 'index.html' : path);
    if (!file.startsWith(DIST) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, headers(TYPES[extname(file)] ?? 'application/octet-stream')).end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })),
  );
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Installs the frame and click recorders in the page. A string, not a function: tsx's transform adds helper
 * calls to functions that do not exist inside the page.
 */
const INSTRUMENT = `(sel) => {
  const gaps = [];
  const clicks = [];
  let last = performance.now();
  let on = true;
  const tick = (t) => { gaps.push(t - last); last = t; if (on) requestAnimationFrame(tick); };
  requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
  document.querySelector(sel).addEventListener('click', (e) => {
    const delay = performance.now() - e.timeStamp;
    requestAnimationFrame(() => clicks.push({ delay, toFrame: performance.now() - e.timeStamp }));
  });
  window.__benchStop = () => { on = false; return { gaps: gaps.slice(1), clicks }; };
}`;

async function instrument(page: Page, clickSelector: string): Promise<void> {
  await page.evaluate(`(${INSTRUMENT})(${JSON.stringify(clickSelector)})`);
}

async function measure(
  page: Page,
  name: string,
  flood: string,
  clickSelector: string,
  linesNow: () => Promise<number>,
  lines: number,
): Promise<ViewFigures> {
  await instrument(page, clickSelector);
  const t0 = Date.now();
  const floodDone = page.evaluate(`${flood}({ lines: ${lines}, batch: 500, intervalMs: 5 })`).then(() => Date.now() - t0);
  // A person clicking every 200 ms while the lines pour in.
  // Raw mouse clicks at the element's place: no waiting for the page to look settled, as a person would not.
  let floodMs = 0;
  void floodDone.then((ms) => (floodMs = ms));
  const box = await page.locator(clickSelector).boundingBox();
  if (!box) throw new Error(`${clickSelector} is not visible`);
  while (!floodMs) {
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForTimeout(200);
  }
  let settledMs = floodMs;
  for (const end = Date.now() + 60_000; Date.now() < end; ) {
    if ((await linesNow()) >= lines) {
      settledMs = Date.now() - t0;
      break;
    }
    await page.waitForTimeout(50);
  }
  const { gaps, clicks } = (await page.evaluate('window.__benchStop()')) as { gaps: number[]; clicks: Array<{ delay: number; toFrame: number }> };
  return {
    name,
    lines,
    floodMs,
    settledMs,
    frames: gaps.length,
    frameP50: r1(pct(gaps, 50)),
    frameP95: r1(pct(gaps, 95)),
    frameMax: r1(Math.max(0, ...gaps)),
    longFrames: gaps.filter((g) => g > 50).length,
    clicks: clicks.length,
    inputDelayP50: r1(pct(clicks.map((c) => c.delay), 50)),
    inputDelayMax: r1(Math.max(0, ...clicks.map((c) => c.delay))),
    clickToFrameP50: r1(pct(clicks.map((c) => c.toFrame), 50)),
    clickToFrameMax: r1(Math.max(0, ...clicks.map((c) => c.toFrame))),
  };
}

export async function run(lines = 100_000): Promise<LogViewResult> {
  if (!existsSync(join(DIST, 'index.html'))) {
    const b = spawnSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('vite build failed');
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
  const { server, url } = await startServer();
  const profile = mkdtempSync(join(tmpdir(), 'cp-bench-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    viewport: { width: 1360, height: 860 },
  });
  try {
    const page = await ctx.newPage();
    await page.goto(`${url}?mock&bench`);
    await page.getByTestId('log-terminal').locator('.xterm').waitFor();
    const view = await measure(
      page,
      'cp-installer (xterm.js)',
      'window.__mockFlood',
      '[data-testid="log-count"]',
      async () => Number(await page.getByTestId('log-view').getAttribute('data-lines')),
      lines,
    );
    const peerPage = await ctx.newPage();
    await peerPage.goto(`${url}peer.html`);
    const peer = await measure(
      peerPage,
      'plain DOM list (peer)',
      'window.__peerFlood',
      '#poke',
      async () => Number(await peerPage.locator('#log').getAttribute('data-lines')),
      lines,
    );
    const targetFrameP95 = 50;
    const targetClickToFrame = 100;
    return { view, peer, targetFrameP95, targetClickToFrame, ok: view.frameP95 <= targetFrameP95 && view.clickToFrameMax <= targetClickToFrame };
  } finally {
    await ctx.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export function format(r: LogViewResult): string {
  const row = (f: ViewFigures) =>
    `  ${f.name.padEnd(26)} frames ${String(f.frames).padStart(5)}  gap p50 ${f.frameP50} ms, p95 ${f.frameP95} ms, max ${f.frameMax} ms, >50 ms: ${f.longFrames}` +
    `\n  ${''.padEnd(26)} clicks ${String(f.clicks).padStart(5)}  input delay p50 ${f.inputDelayP50} ms, max ${f.inputDelayMax} ms; click→frame p50 ${f.clickToFrameP50} ms, max ${f.clickToFrameMax} ms` +
    `\n  ${''.padEnd(26)} flood sent in ${f.floodMs} ms, all lines in the view after ${f.settledMs} ms`;
  const ratio = (a: number, b: number) => (b ? (a / b).toFixed(2) : 'n/a');
  return [
    `log view: ${r.view.lines.toLocaleString('en')} lines in batches of 500 every 5 ms, Chromium headless`,
    row(r.view),
    row(r.peer),
    `  ratio cp-installer/peer: frame p95 ${ratio(r.view.frameP95, r.peer.frameP95)}, click→frame max ${ratio(r.view.clickToFrameMax, r.peer.clickToFrameMax)}, settled ${ratio(r.view.settledMs, r.peer.settledMs)}`,
    `  target: frame p95 ≤ ${r.targetFrameP95} ms and click→frame ≤ ${r.targetClickToFrame} ms: ${r.ok ? 'met' : 'NOT met'}`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run(Number(process.argv[2] ?? 100_000));
  console.log(format(r));
  process.exitCode = r.ok ? 0 : 1;
}
