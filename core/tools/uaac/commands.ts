// uaac (the UAA command-line client) for the CaaS client, with the guide's exact values. uaac asks for a
// secret it was not given (`Client secret:`, and `New client secret:` / `Verify new client secret:` for a
// new client): the installer answers those prompts on stdin instead of passing `-s SECRET` on the command
// line. UAAC_HOME-less uaac keeps its targets in ~/.uaac.yml; HOME is set to the installer's folder so a
// run does not change the user's own uaac context.
import { shellJoin } from '../../common/quote.js';
import type { Secret } from '../../common/secret.js';

export interface UaacCommand {
  command: string;
  stdin: string;
}

/** The guide's client for the container-service dashboard (4.2: `uaac client add caasclient …`). */
export const CAAS_CLIENT = {
  id: 'caasclient',
  scope: 'cloud_controller_service_permissions.read , openid , cloud_controller.read , cloud_controller.write , cloud_controller.admin',
  grantTypes: 'authorization_code , client_credentials , refresh_token',
  authorities: 'uaa.resource',
  autoapprove: 'openid , cloud_controller_service_permissions.read',
} as const;

/** The dashboard NodePort the client redirects to. */
export const DASHBOARD_PORT = 32091;

export function redirectUris(worker: string): string {
  return `http://${worker}:${DASHBOARD_PORT}, http://${worker}:${DASHBOARD_PORT}/callback`;
}

function line(secret: Secret): string {
  const v = secret.reveal();
  if (/[\r\n]/.test(v)) throw new Error(`${secret.label} contains a line break`);
  return v;
}

function uaac(home: string, argv: string[]): string {
  return `HOME=${shellJoin([home])} ${shellJoin(['uaac', ...argv])}`;
}

export function uaacTarget(home: string, url: string, skipSslValidation: boolean): UaacCommand {
  return { command: uaac(home, ['target', url, ...(skipSslValidation ? ['--skip-ssl-validation'] : [])]), stdin: '' };
}

/** `uaac token client get ID` answering `Client secret:` on stdin. */
export function uaacTokenClientGet(home: string, client: string, secret: Secret): UaacCommand {
  return { command: uaac(home, ['token', 'client', 'get', client]), stdin: `${line(secret)}\n` };
}

/** `uaac client get caasclient`: exits 0 when the client exists. */
export function uaacClientGet(home: string, id: string): UaacCommand {
  return { command: uaac(home, ['client', 'get', id]), stdin: '' };
}

/** `uaac client add caasclient --redirect_uri … --scope … …` answering the new secret's two prompts. */
export function uaacClientAdd(home: string, worker: string, secret: Secret): UaacCommand {
  const s = line(secret);
  return {
    command: uaac(home, [
      'client', 'add', CAAS_CLIENT.id,
      '--redirect_uri', redirectUris(worker),
      '--scope', CAAS_CLIENT.scope,
      '--authorized_grant_types', CAAS_CLIENT.grantTypes,
      `--authorities=${CAAS_CLIENT.authorities}`,
      `--autoapprove=${CAAS_CLIENT.autoapprove}`,
    ]),
    stdin: `${s}\n${s}\n`,
  };
}

/** `uaac client update caasclient --redirect_uri …` (the guide's fix for a client with a wrong address). */
export function uaacClientUpdate(home: string, worker: string): UaacCommand {
  return { command: uaac(home, ['client', 'update', CAAS_CLIENT.id, '--redirect_uri', redirectUris(worker)]), stdin: '' };
}

/** `uaac client get` output → its redirect URIs. */
export function parseClientRedirects(text: string): string[] {
  const m = /redirect_uri:\s*(.*)/.exec(text);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
}
