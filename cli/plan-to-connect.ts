// A command that connects to hosts (preflight, bundle upload) starts the same way: load the plan, name its
// errors and stop before any host is contacted (a misread address such as `10.250.0.014` would reach another
// machine, and a login is already an action on the host), then gather its secrets.
import { load, renderMessage, type Lang } from '../core/api/plan.js';
import { toPlan } from '../core/api/preflight.js';
import type { InstallPlan as Plan, SecretBag } from '../core/api/install.js';
import { gatherSecrets } from './terminal.js';

/** Exit code of a command that could not use its input. */
const UNUSABLE = 2;

/** The plan and its secrets, or the exit code after saying on stderr why not (2: nothing was contacted). */
export async function planToConnect(file: string, lang: Lang): Promise<{ plan: Plan; secrets: SecretBag } | { exit: number }> {
  let loaded;
  try {
    loaded = await load(file);
  } catch (e) {
    const err = e as { key?: string; params?: Record<string, string | number> };
    process.stderr.write(`${err.key ? renderMessage({ key: err.key, params: err.params ?? {} }, lang) : String(e)}\n`);
    return { exit: UNUSABLE };
  }
  const errors = loaded.issues.filter((x) => x.severity === 'error');
  for (const i of errors) process.stderr.write(`${file}: ${i.path ? `${i.path}: ` : ''}${renderMessage(i, lang)}\n`);
  if (!loaded.plan || errors.length > 0) {
    process.stderr.write(
      lang === 'ko'
        ? '플랜에 오류가 있어 어떤 호스트에도 연결하지 않았습니다. 위 항목을 고친 뒤 다시 실행하세요(cp-installer validate로 확인).\n'
        : 'No host was contacted: the plan has errors. Correct the fields named above (see cp-installer validate) and run the command again.\n',
    );
    return { exit: UNUSABLE };
  }
  const plan = toPlan(loaded.plan);
  try {
    return { plan, secrets: await gatherSecrets(plan, { lang }) };
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return { exit: UNUSABLE };
  }
}
