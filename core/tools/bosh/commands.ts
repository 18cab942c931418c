// bosh CLI (v6/v7) command lines, run on the jump box. The director is chosen through the environment
// (BOSH_ENVIRONMENT, BOSH_CLIENT, BOSH_CA_CERT) and BOSH_CLIENT_SECRET arrives on stdin (env.ts): no
// secret is ever a word of the command line. Every value is quoted with shellJoin.
import { shellJoin } from '../../common/quote.js';
import type { Secret } from '../../common/secret.js';
import { withEnv, type EnvCommand } from './env.js';

export interface Director {
  /** An alias made with `bosh alias-env`, or the director's address (`10.0.1.6`, `https://10.0.1.6:25555`). */
  environment: string;
  client: string;
  /** Path of the director's CA certificate on the jump box (BOSH_CA_CERT accepts a path). */
  caCert?: string;
  clientSecret?: Secret;
}

/** Prefix of the variables `--vars-env` reads: `CP_BOSH_VAR_mariadb_admin_user_password`, … */
export const VARS_ENV_PREFIX = 'CP_BOSH_VAR';

export interface DeploySpec {
  deployment: string;
  /** The deployment manifest, relative to `cwd` or absolute. */
  manifest: string;
  /** `-l`, in order (a later file wins). */
  varsFiles: string[];
  /** `-o`, in order. */
  opsFiles: string[];
  /** `-v name=value` (never a secret: those go in `secretVars`). */
  vars: Record<string, string>;
  /** Variables whose values are secrets: passed with `--vars-env` from the environment, read from stdin. */
  secretVars?: Record<string, Secret | undefined>;
  noRedact?: boolean;
  /** `--fix`: recreate unresponsive instances (a resume after a failed task). */
  fix?: boolean;
  /** The folder the paths are relative to (the tree's `bosh/`). */
  cwd: string;
}

function directorEnv(d: Director, extraSecrets: Record<string, Secret | undefined> = {}) {
  return {
    plain: { BOSH_ENVIRONMENT: d.environment, BOSH_CLIENT: d.client, BOSH_CA_CERT: d.caCert, BOSH_NON_INTERACTIVE: 'true' },
    secrets: { BOSH_CLIENT_SECRET: d.clientSecret, ...extraSecrets },
  };
}

function boshCommand(d: Director, argv: string[], cwd?: string, extraSecrets: Record<string, Secret | undefined> = {}): EnvCommand {
  const e = directorEnv(d, extraSecrets);
  return withEnv(shellJoin(['bosh', ...argv]), e.plain, e.secrets, cwd);
}

/** `bosh environment --json`: the director's name and UUID (deploy-<iaas>.sh reads `/Tables/0/Rows/0/uuid`). */
export function boshEnvironment(d: Director): EnvCommand {
  return boshCommand(d, ['environment', '--json']);
}

export function boshStemcells(d: Director): EnvCommand {
  return boshCommand(d, ['stemcells', '--json']);
}

export function boshReleases(d: Director): EnvCommand {
  return boshCommand(d, ['releases', '--json']);
}

export function boshCloudConfig(d: Director): EnvCommand {
  return boshCommand(d, ['cloud-config']);
}

export function boshUploadStemcell(d: Director, path: string): EnvCommand {
  return boshCommand(d, ['upload-stemcell', path]);
}

export function boshUploadRelease(d: Director, path: string): EnvCommand {
  return boshCommand(d, ['upload-release', path]);
}

export function boshDeploymentsJson(d: Director): EnvCommand {
  return boshCommand(d, ['deployments', '--json']);
}

/** The argv of `bosh -n -d NAME deploy …` as deploy-<iaas>.sh writes it (global flags first). */
export function deployArgv(s: DeploySpec): string[] {
  const secretNames = Object.keys(s.secretVars ?? {}).filter((k) => s.secretVars![k]);
  return [
    '-n', '-d', s.deployment, 'deploy',
    ...(s.noRedact ? ['--no-redact'] : []),
    ...(s.fix ? ['--fix'] : []),
    s.manifest,
    ...s.varsFiles.flatMap((f) => ['-l', f]),
    ...(secretNames.length ? ['--vars-env', VARS_ENV_PREFIX] : []),
    ...s.opsFiles.flatMap((f) => ['-o', f]),
    ...Object.entries(s.vars).flatMap(([k, v]) => ['-v', `${k}=${v}`]),
  ];
}

export function boshDeploy(d: Director, s: DeploySpec): EnvCommand {
  const secrets: Record<string, Secret | undefined> = {};
  for (const [k, v] of Object.entries(s.secretVars ?? {})) if (v) secrets[`${VARS_ENV_PREFIX}_${k}`] = v;
  return boshCommand(d, deployArgv(s), s.cwd, secrets);
}

/** `bosh -d NAME vms --json`: instances with their addresses (vms.ts reads it). */
export function boshVms(d: Director, deployment: string): EnvCommand {
  return boshCommand(d, ['-d', deployment, 'vms', '--json']);
}

/** `bosh -d NAME manifest`: exits 0 when the deployment exists (a step's isDone). */
export function boshManifest(d: Director, deployment: string): EnvCommand {
  return boshCommand(d, ['-d', deployment, 'manifest']);
}

export function boshVersion(): string {
  return shellJoin(['bosh', '--version']);
}
