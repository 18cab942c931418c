// `cp-installer serve`: the wizard in a browser, for a bastion host without a desktop (reach it with
// `ssh -L PORT:127.0.0.1:PORT bastion`).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { createInstallerService } from '../../core/api/index.js';
import { startServer } from '../serve/server.js';
import { findRendererDir } from '../serve/static.js';
import { canOpenBrowser, openBrowser } from '../serve/open.js';

export const DEFAULT_PORT = 8470;

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number 0–65535 (0: any free port)');
  return n;
}

export interface ServeCommandOptions {
  port: number;
  workdir: string;
  open: boolean;
  knownHosts?: string;
  /** Folders besides the work folder the page may name paths in (load and save plans, kubeconfigs). */
  allowDirs?: string[];
}

export async function serve(opts: ServeCommandOptions): Promise<void> {
  const rendererDir = findRendererDir();
  if (!rendererDir) {
    process.stderr.write(
      'The wizard is not built: dist-renderer/index.html is missing. Run `npm run build:renderer` (or `npm start`, which builds it) and try again.\n',
    );
    process.exitCode = 1;
    return;
  }
  const service = createInstallerService({
    workdir: opts.workdir,
    shell: 'browser',
    allowDirs: opts.allowDirs ?? [],
    ...(opts.knownHosts ? { knownHostsFile: opts.knownHosts } : {}),
  });
  let server;
  try {
    server = await startServer({ api: service, rendererDir, port: opts.port });
  } catch (e) {
    await service.dispose();
    const code = (e as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'EADDRINUSE'
        ? `Port ${opts.port} on 127.0.0.1 is in use. Choose another with --port N (or --port 0 for any free port).\n`
        : `Cannot start the server: ${(e as Error).message}\n`,
    );
    process.exitCode = 1;
    return;
  }
  process.stdout.write(
    [
      'cp-installer is serving the wizard on 127.0.0.1 only.',
      `Open this address in a browser on this machine. It works once, in one tab (reloading that tab is fine):`,
      '',
      `  ${server.url}`,
      '',
      `From another machine: ssh -L ${server.port}:127.0.0.1:${server.port} <this host>, then open the same address.`,
      `Files are read and written only in: ${[opts.workdir, ...(opts.allowDirs ?? [])].join(', ')} (add folders with --allow-dir).`,
      process.stdin.isTTY ? 'Press Enter for a new address (another tab or browser), Ctrl+C to stop.' : 'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  // A failure in one background task (a run, a probe) is reported through events; it must not end the
  // server and every other session with it.
  process.on('unhandledRejection', (e) => {
    process.stderr.write(`cp-installer: background task failed: ${e instanceof Error ? e.message : String(e)}\n`);
  });
  const cleanupOpen = opts.open && canOpenBrowser() ? openBrowser(server.url) : undefined;
  // A new one-time address on request: the printed one is used up by the first tab that opened it.
  const onLine = () => process.stdout.write(`New address (works once):\n\n  ${server.newLoginUrl()}\n\n`);
  if (process.stdin.isTTY) {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      for (const ch of chunk) if (ch === '\n' || ch === '\r') onLine();
    });
  }
  const stop = async () => {
    process.stdin.pause();
    cleanupOpen?.();
    await server.close();
    await service.dispose();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve the wizard to a browser on 127.0.0.1, with a one-time address (browser mode)')
    .option('-p, --port <port>', 'port on 127.0.0.1 (0: any free port)', parsePort, DEFAULT_PORT)
    .option('-w, --workdir <dir>', 'where runs, logs and outputs are kept', join(homedir(), '.cp-installer'))
    .option('--known-hosts <file>', 'known_hosts to check host keys against and add accepted ones to (default ~/.ssh/known_hosts)')
    .option('--no-open', 'do not open a browser')
    .option('--allow-dir <dir>', 'a folder besides the work folder where the page may load and save files (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .action(async (o: { port: number; workdir: string; open: boolean; knownHosts?: string; allowDir: string[] }) => {
      await serve({
        port: o.port,
        workdir: resolve(o.workdir),
        open: o.open,
        allowDirs: o.allowDir.map((d) => resolve(d)),
        ...(o.knownHosts ? { knownHosts: resolve(o.knownHosts) } : {}),
      });
    });
}
