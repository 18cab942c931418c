// cf CLI (v7/v8) command lines for registering the container-service broker, run on the jump box. The
// admin password reaches `cf auth` as CF_PASSWORD and the broker's password `cf create-service-broker` as
// CF_BROKER_PASSWORD (both read by the CLI from its environment when left off the command line), through
// stdin (core/tools/bosh/env.ts). CF_HOME keeps the login in the installer's folder, not the user's ~/.cf.
import { shellJoin } from '../../common/quote.js';
import type { Secret } from '../../common/secret.js';
import { withEnv, type EnvCommand } from '../bosh/env.js';

export interface CfTarget {
  api: string;
  skipSslValidation: boolean;
  /** CF_HOME on the jump box (the CLI writes its config under it). */
  home: string;
}

function cf(t: CfTarget, argv: string[], secrets: Record<string, Secret | undefined> = {}, plain: Record<string, string> = {}): EnvCommand {
  return withEnv(shellJoin(['cf', ...argv]), { CF_HOME: t.home, ...plain }, secrets);
}

export function cfApi(t: CfTarget): EnvCommand {
  return cf(t, ['api', t.api, ...(t.skipSslValidation ? ['--skip-ssl-validation'] : [])]);
}

/** `cf auth USER` with the password from CF_PASSWORD. */
export function cfAuth(t: CfTarget, user: string, password: Secret): EnvCommand {
  return cf(t, ['auth', user], { CF_PASSWORD: password });
}

export function cfServiceBrokers(t: CfTarget): EnvCommand {
  return cf(t, ['service-brokers']);
}

/** `cf create-service-broker NAME USER URL` with the password from CF_BROKER_PASSWORD. */
export function cfCreateServiceBroker(t: CfTarget, name: string, user: string, url: string, password: Secret): EnvCommand {
  return cf(t, ['create-service-broker', name, user, url], { CF_BROKER_PASSWORD: password });
}

/** `cf update-service-broker NAME USER URL`: a broker of that name already there (re-run) gets this URL. */
export function cfUpdateServiceBroker(t: CfTarget, name: string, user: string, url: string, password: Secret): EnvCommand {
  return cf(t, ['update-service-broker', name, user, url], { CF_BROKER_PASSWORD: password });
}

export function cfEnableServiceAccess(t: CfTarget, offering: string): EnvCommand {
  return cf(t, ['enable-service-access', offering]);
}

export function cfServiceAccess(t: CfTarget, broker: string): EnvCommand {
  return cf(t, ['service-access', '-b', broker]);
}

/** `cf service-brokers` output → broker name → URL. */
export function parseServiceBrokers(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(https?:\/\/\S+)\s*$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** `cf service-access` output → plans of `offering` with their access (`all`, `none`, `limited`). */
export function parseServiceAccess(text: string, offering: string): Array<{ plan: string; access: string }> {
  const out: Array<{ plan: string; access: string }> = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === offering && f.length >= 3) out.push({ plan: f[1]!, access: f[2]! });
  }
  return out;
}
