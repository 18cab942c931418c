// `cp-installer preflight PLAN [--json] [--fix] [--accept-new-host-keys] [--known-hosts FILE]`: checks every
// host of the plan over SSH and prints a per-host table (or JSON). Secrets come from the environment
// (CP_SSH_PASSWORD[_<PROFILE>], CP_SSH_PASSPHRASE[_<PROFILE>], CP_SUDO_PASSWORD[_<PROFILE>]) or are asked
// on the terminal without echo. Exit 0 when nothing failed, 1 when a check failed or a host could not be
// checked, 2 when the plan has errors (then no host is connected to) or cannot be used.
import type { Command } from 'commander';
import { renderMessage as renderPlanMessage } from '../../core/api/plan.js';
import {
  offeredFixes,
  renderPreflightMessage,
  reportJson,
  reportTable,
  runFixes,
  runPlanPreflight,
} from '../../core/api/preflight.js';
import { askYesNo } from '../terminal.js';
import { langOption, pickLang } from './validate.js';
import { planToConnect } from '../plan-to-connect.js';
import { runAbortController } from '../../core/common/async.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_UNUSABLE = 2;

export interface PreflightCliOptions {
  json?: boolean;
  fix?: boolean;
  acceptNewHostKeys?: boolean;
  knownHosts?: string;
  lang?: string;
  all?: boolean;
  concurrency?: string;
  reach?: boolean;
  /** With --fix: apply without asking (needed where there is no terminal to ask on). */
  yes?: boolean;
}

export async function preflightCommand(file: string, opts: PreflightCliOptions): Promise<number> {
  const lang = pickLang(opts.lang);
  const ready = await planToConnect(file, lang);
  if ('exit' in ready) return ready.exit;
  const { plan, secrets } = ready;

  const ac = runAbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const concurrency = opts.concurrency ? Number(opts.concurrency) : undefined;
  const base = {
    secrets,
    signal: ac.signal,
    ...(opts.knownHosts ? { knownHostsFile: opts.knownHosts } : {}),
    ...(opts.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}),
    ...(concurrency && concurrency > 0 ? { globalLimit: concurrency } : {}),
    ...(opts.reach === false ? { skipReach: true } : {}),
  };
  const progress = (h: { name: string; error?: unknown; checks: Array<{ status: string }> }) => {
    if (opts.json || !process.stderr.isTTY) return;
    const fails = h.checks.filter((c) => c.status === 'fail').length;
    process.stderr.write(`  ${h.name}: ${h.error ? 'error' : fails ? `${fails} failed` : 'ok'}\n`);
  };
  try {
    let report = await runPlanPreflight(plan, { ...base, onHost: progress });
    if (opts.fix) {
      const fixes = offeredFixes(report);
      if (fixes.size) {
        process.stderr.write(lang === 'ko' ? '\n제안된 수정 (sudo로 실행):\n' : '\nFixes on offer (run with sudo):\n');
        for (const [host, list] of fixes) {
          for (const f of list) {
            process.stderr.write(`  ${host}: ${renderPreflightMessage(f.title, lang)}\n`);
            for (const c of f.commands) process.stderr.write(`      $ ${c}\n`);
          }
        }
        const go =
          opts.yes ||
          (process.stdin.isTTY && (await askYesNo(lang === 'ko' ? '이 수정을 실행할까요? [y/N] ' : 'Run these fixes? [y/N] ')));
        if (!go) {
          process.stderr.write(
            process.stdin.isTTY
              ? lang === 'ko' ? '수정을 실행하지 않았습니다.\n' : 'No fix was run.\n'
              : lang === 'ko' ? '수정을 실행하지 않았습니다: 터미널이 없으면 --yes로 승인하세요.\n' : 'No fix was run: without a terminal to ask on, approve them with --yes.\n',
          );
        } else {
          const outcomes = await runFixes(plan, fixes, {
            ...base,
            onOutcome: (o) => process.stderr.write(`  ${o.host}: ${o.fix} ${o.ok ? 'ok' : `FAILED ${o.command ?? ''} ${o.output ?? ''}`}\n`),
          });
          if (outcomes.length) report = await runPlanPreflight(plan, base);
        }
      } else {
        process.stderr.write(lang === 'ko' ? '적용할 수정이 없습니다.\n' : 'No fixes to apply.\n');
      }
    }
    if (opts.json) process.stdout.write(`${JSON.stringify(reportJson(report, lang), null, 2)}\n`);
    else process.stdout.write(`${reportTable(report, lang, { all: !!opts.all })}\n`);
    return report.ok ? EXIT_OK : EXIT_FAILED;
  } catch (e) {
    // What stops every host before any connection (a ProxyJump loop in ~/.ssh/config, a plan the core
    // refused) is said in words, not as a stack trace.
    const m = (e as { toMessage?: () => { key: string; params: Record<string, string> } }).toMessage?.();
    if (!m) throw e;
    process.stderr.write(`${renderPlanMessage(m, lang)}\n`);
    return EXIT_UNUSABLE;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function register(program: Command): void {
  program
    .command('preflight')
    .description('check every host of a plan over SSH; exit 0 ok, 1 a check failed, 2 the plan is unusable')
    .argument('<plan>', 'plan file (YAML)')
    .option('--json', 'print the report as JSON')
    .option('--fix', 'offer the safe fixes (swap, modules, sysctl): shown, asked y/N, run, then checked again')
    .option('-y, --yes', 'with --fix: run the fixes without asking')
    .option('--accept-new-host-keys', 'add unknown host keys to known_hosts (a changed key is always refused)')
    .option('--known-hosts <file>', 'known_hosts file (default ~/.ssh/known_hosts)')
    .option('--all', 'show passed checks too')
    .option('--concurrency <n>', 'hosts checked at once (default 32)')
    .option('--no-reach', 'skip the reachability matrix between hosts')
    .addOption(langOption())
    .action(async (file: string, opts: PreflightCliOptions) => {
      process.exitCode = await preflightCommand(file, opts);
    });
}

