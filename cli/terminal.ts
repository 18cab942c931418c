// What the commands ask on the terminal: secrets (never echoed, never on a command line) and yes/no
// questions. One reader of the secret environment variables for every command, so `preflight`, `apply`
// and `resume` accept the same names: CP_SSH_PASSWORD[_<PROFILE>], CP_SSH_PASSPHRASE[_<PROFILE>],
// CP_SUDO_PASSWORD[_<PROFILE>].
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { SERVICE_SECRETS, secretBag, secretEnvNames, secretFromEnv, secretsNeeded, type Lang, type SecretKind } from '../core/api/preflight.js';
import type { InstallPlan as Plan, SecretBag } from '../core/api/install.js';

export type Ask = (question: string) => Promise<string>;

/** Reads a line from the terminal without echoing it. */
export function askHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) return Promise.reject(new Error(`${question.trim()} is needed, but there is no terminal to ask on`));
  return new Promise((resolve, reject) => {
    const muted = new Writable({ write: (_c, _e, done) => done() });
    const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
    process.stderr.write(question);
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      reject(new Error('cancelled'));
    });
  });
}

/** A visible question; the answer is yes only for y/yes (any case) — an empty answer is no. */
export async function askYesNo(question: string, ask: Ask = askVisible): Promise<boolean> {
  return /^\s*(y|yes|예|네)\s*$/i.test(await ask(question));
}

function askVisible(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: !!process.stdin.isTTY });
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
    rl.on('close', () => resolve(''));
  });
}

const PROMPTS: Record<SecretKind, Record<Lang, string>> = {
  password: { en: 'SSH password for auth profile "{p}"', ko: '인증 프로필 "{p}"의 SSH 비밀번호' },
  passphrase: { en: 'Key passphrase for auth profile "{p}"', ko: '인증 프로필 "{p}"의 키 암호 문구' },
  sudoPassword: { en: 'sudo password for auth profile "{p}"', ko: '인증 프로필 "{p}"의 sudo 비밀번호' },
  ...Object.fromEntries(Object.entries(SERVICE_SECRETS).map(([k, v]) => [k, { en: v.en, ko: v.ko }])),
} as Record<SecretKind, Record<Lang, string>>;

export interface GatherOptions {
  lang: Lang;
  env?: NodeJS.ProcessEnv;
  /** Asks for one secret; the default reads the terminal without echo. */
  ask?: Ask;
  /** Whether there is a terminal to ask on (default: stdin is one). */
  interactive?: boolean;
}

/**
 * The secrets the plan's auth profiles need, each from its environment variable or asked for. A sudo
 * password falls back to the same profile's SSH password (the usual case). The environment copies are
 * removed once read, so no child process inherits them.
 */
export async function gatherSecrets(plan: Plan, opts: GatherOptions): Promise<SecretBag> {
  const env = opts.env ?? process.env;
  const ask = opts.ask ?? askHidden;
  const interactive = opts.interactive ?? !!process.stdin.isTTY;
  const values: Array<{ kind: SecretKind; profile: string; value: string }> = [];
  const used = new Set<string>();
  for (const n of secretsNeeded(plan)) {
    let value = secretFromEnv(n.kind, n.profile, env);
    if (value !== undefined) for (const name of secretEnvNames(n.kind, n.profile)) if (env[name] !== undefined) used.add(name);
    if (value === undefined && n.kind === 'sudoPassword') {
      value = values.find((v) => v.kind === 'password' && v.profile === n.profile)?.value;
    }
    if (value === undefined && n.optional) continue;
    if (value === undefined) {
      const what = PROMPTS[n.kind][opts.lang].replace('{p}', n.profile);
      if (!interactive) throw new Error(`${PROMPTS[n.kind].en.replace('{p}', n.profile)}: not given (set ${secretEnvNames(n.kind, n.profile).join(' or ')})`);
      value = await ask(`${what}: `);
    }
    values.push({ ...n, value });
  }
  for (const name of used) delete env[name];
  return secretBag(values);
}
