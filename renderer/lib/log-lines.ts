// The engine's own log lines (stream `info`) in the person's language: the runner writes them in English
// for the on-disk log and the support bundle; the wizard shows the known ones translated. Pure.
import type { LogLine } from '../../core/api/types.js';

type Translate = (key: string, params?: Record<string, string | number>) => string;

const RETRY = /^attempt (\d+) of (\d+) failed \((.*)\); retrying in (\d+) ms$/s;

export function localizeLine(l: LogLine, t: Translate): LogLine {
  if (l.stream !== 'info') return l;
  const retry = RETRY.exec(l.line);
  if (retry) {
    const [, n, of, reason, ms] = retry;
    return { ...l, line: t('ui.log.retry', { n: n!, of: of!, reason: reason!, seconds: Math.round(Number(ms) / 100) / 10 }) };
  }
  if (l.line === 'already done: skipped') return { ...l, line: t('ui.log.alreadyDone') };
  return l;
}
