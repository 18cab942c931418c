// `cp-installer portal uninstall RUN_ID`: the portal archive's uninstall-cp-portal.sh on master 1 of a run
// that installed the portal (the v1.6 guide's §5), after the guide's warning about the data NFS keeps and a
// yes from the person (or --yes). The script's output is shown as it comes; afterwards the run lists no
// portal URL any more (Done, `runs`, the report).
import type { Command } from 'commander';
import { defaultWorkdir, renderMessage, runSummaries, uninstallPortal, PortalUninstallError } from '../../core/api/install.js';
import { failureText } from '../failure.js';
import { askYesNo, type Ask } from '../terminal.js';
import { collectSecrets, sshOptionsOf, type SshCliOptions } from './apply.js';
import { langOption, pickLang } from './validate.js';

export interface PortalUninstallOptions extends SshCliOptions {
  workdir?: string;
  yes?: boolean;
  lang?: string;
}

export interface PortalIo {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
  isTTY: boolean;
  ask?: Ask;
}

const stdio = (): PortalIo => ({ out: process.stdout, err: process.stderr, isTTY: !!process.stdin.isTTY });

export async function portalUninstall(runId: string, opts: PortalUninstallOptions, io: PortalIo = stdio()): Promise<number> {
  const lang = pickLang(opts.lang);
  const workdir = opts.workdir ?? defaultWorkdir();
  if (!runSummaries(workdir).some((r) => r.id === runId)) {
    io.err.write(`${renderMessage({ key: 'cli.no-run', params: { runId, workdir } }, lang)}\n`);
    return 2;
  }
  io.err.write(`${renderMessage({ key: 'cp-portal.uninstall.warning' }, lang)}\n`);
  if (!opts.yes) {
    if (!io.isTTY) {
      io.err.write(lang === 'ko' ? '삭제하지 않았습니다: 터미널이 없으면 --yes로 승인하세요.\n' : 'Nothing was uninstalled: without a terminal to ask on, approve with --yes.\n');
      return 2;
    }
    const go = await askYesNo(lang === 'ko' ? `실행 ${runId}의 포털을 삭제할까요? [y/N] ` : `Uninstall the portal of run ${runId}? [y/N] `, io.ask);
    if (!go) {
      io.err.write(lang === 'ko' ? '삭제하지 않았습니다.\n' : 'Nothing was uninstalled.\n');
      return 1;
    }
  }
  try {
    const r = await uninstallPortal({ workdir, sshOptions: sshOptionsOf(opts), onLine: (l) => io.out.write(`  ${l}\n`) }, runId, (plan) => collectSecrets(plan));
    io.out.write(`${renderMessage({ key: 'cp-portal.uninstall.done', params: { host: r.host, components: r.removed.join(', ') || '-' } }, lang)}\n`);
    return 0;
  } catch (e) {
    io.err.write(`${failureText(e, lang)}\n`);
    return e instanceof PortalUninstallError && e.key !== 'cp-portal.uninstall.left' && e.key !== 'cp-portal.uninstall.failed' ? 2 : 1;
  }
}

export function register(program: Command): void {
  const portal = program.command('portal').description('The K-PaaS portal a run installed');
  portal
    .command('uninstall')
    .description('Run the portal archive\'s uninstall-cp-portal.sh on master 1 (data on NFS is kept) and drop the portal URLs from the run')
    .argument('<run-id>', 'the run that installed the portal (see `cp-installer runs`)')
    .option('-y, --yes', 'do not ask before uninstalling')
    .option('--known-hosts <file>', 'known_hosts to check host keys against (default ~/.ssh/known_hosts)')
    .option('--accept-new-host-keys', 'accept and record the key of a host not yet in known_hosts (never a changed key)')
    .option('--workdir <dir>', 'where runs are kept (default ~/.cp-installer)')
    .addOption(langOption())
    .action(async (runId: string, opts: PortalUninstallOptions) => {
      process.exitCode = await portalUninstall(runId, opts);
    });
}
