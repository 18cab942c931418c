// The bearer token the BOSH middleware (k8s_auth_bearer) and the container service need: a cluster-admin
// ServiceAccount's, made as the CaaS guide (6.1) makes it by hand — `kubectl create serviceaccount k8sadmin
// -n kube-system`, `kubectl create clusterrolebinding k8sadmin --clusterrole=cluster-admin
// --serviceaccount=kube-system:k8sadmin` — on the first control plane with the admin kubeconfig, once the
// cluster is up. The token is a Secret of type kubernetes.io/service-account-token annotated with the
// account's name, which the token controller fills on every Kubernetes (before 1.24 it also made one of its
// own; from 1.24 on it makes none, so ours is the one that works on both), and which does not expire.
//
// The token is read quietly, masked (ctx.addSecret) before anything could print it, and kept in this run's
// memory only: never an output (outputs are journaled), a file or a word of a command line. A resumed run
// that skips this step reads it again from the Secret when a later step needs it. When the user gives one
// (CP_K8S_AUTH_BEARER), it is used and no account is made.
import { msg } from '../common/messages.js';
import { shellJoin, shq } from '../common/quote.js';
import { Secret } from '../common/secret.js';
import type { Host } from '../plan/schema.js';
import { StepError, type OutputStore, type Step, type StepContext } from '../install/step.js';

export const ADMIN_KUBECONFIG = '/etc/kubernetes/admin.conf';
export const ADMIN_SA = { namespace: 'kube-system', name: 'k8sadmin', secret: 'k8sadmin-token' } as const;
/** How long the token controller has to fill the Secret. */
export const TOKEN_WAIT_SECONDS = 60;

const kubectl = (...args: string[]) => shellJoin(['kubectl', '--kubeconfig', ADMIN_KUBECONFIG, ...args]);

/** The Secret the token controller fills with the account's long-lived token. */
export function tokenSecretManifest(): string {
  return [
    'apiVersion: v1',
    'kind: Secret',
    'type: kubernetes.io/service-account-token',
    'metadata:',
    `  name: ${ADMIN_SA.secret}`,
    `  namespace: ${ADMIN_SA.namespace}`,
    '  annotations:',
    `    kubernetes.io/service-account.name: ${ADMIN_SA.name}`,
    '',
  ].join('\n');
}

/**
 * Creates the account, its cluster-admin binding and the token Secret. Existing ones are kept: kubectl
 * create refuses a duplicate ("already exists"), which is taken as done; any other refusal stops the script.
 */
export function adminAccountScript(): string {
  const keep = 'keep() { out=$("$@" 2>&1) && { printf \'%s\\n\' "$out"; return 0; }; case "$out" in *"already exists"*) printf \'kept (%s)\\n\' "$out"; return 0;; esac; printf \'%s\\n\' "$out" >&2; return 1; }';
  const steps = [
    `keep ${kubectl('create', 'serviceaccount', ADMIN_SA.name, '-n', ADMIN_SA.namespace)}`,
    `keep ${kubectl('create', 'clusterrolebinding', ADMIN_SA.name, '--clusterrole=cluster-admin', `--serviceaccount=${ADMIN_SA.namespace}:${ADMIN_SA.name}`)}`,
    `printf '%s' ${shq(tokenSecretManifest())} | ${kubectl('apply', '-f', '-')}`,
  ];
  return `${keep}\n${steps.join(' &&\n')}`;
}

/** Prints the Secret's token (base64, as the API keeps it) once the token controller has filled it. */
export function readTokenScript(waitSeconds = TOKEN_WAIT_SECONDS): string {
  const get = kubectl('get', 'secret', ADMIN_SA.secret, '-n', ADMIN_SA.namespace, '-o', 'jsonpath={.data.token}');
  return `t=; for i in $(seq 1 ${waitSeconds}); do t=$(${get}) || break; [ -n "$t" ] && break; sleep 1; done; [ -n "$t" ] && printf '%s\\n' "$t"`;
}

/** The token from readTokenScript's output (base64-decoded), or undefined when there is none. */
export function parseToken(stdout: string): string | undefined {
  const b64 = stdout.trim();
  if (!b64 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) return undefined;
  const token = Buffer.from(b64, 'base64').toString('utf8').trim();
  return token && !/[\s]/.test(token) ? token : undefined;
}

// One token per run: the OutputStore is the run's own object, so it keys the cache without journaling anything.
const minted = new WeakMap<OutputStore, Secret>();

function given(ctx: StepContext): Secret | undefined {
  const s = ctx.secrets.service?.k8sBearerToken;
  return s && !s.isEmpty ? s : undefined;
}

async function readToken(ctx: StepContext, master: string): Promise<Secret> {
  const r = await ctx.exec(master, readTokenScript(), { sudo: true, quiet: true, check: false, describe: `read the token of ${ADMIN_SA.namespace}/${ADMIN_SA.secret} (kept in memory only)`, dryRunResult: { stdout: '' } });
  if (ctx.dryRun) return Secret.of('<k8sBearerToken>', 'k8sBearerToken');
  const b64 = r.stdout.trim();
  if (b64) ctx.addSecret(b64);
  const token = parseToken(r.stdout);
  if (!token) {
    throw new StepError(msg('mode.caas.token', { host: master, secret: `${ADMIN_SA.namespace}/${ADMIN_SA.secret}`, seconds: String(TOKEN_WAIT_SECONDS) }), {
      host: master,
      message: ctx.redact(r.stderr.trim().split('\n').slice(-2).join(' ') || `no token in ${ADMIN_SA.secret} after ${TOKEN_WAIT_SECONDS} s`),
    });
  }
  ctx.addSecret(token);
  const s = Secret.of(token, 'k8sBearerToken');
  minted.set(ctx.outputs, s);
  return s;
}

/**
 * The cluster-admin bearer token for a step: the user's (CP_K8S_AUTH_BEARER), else the one this run made,
 * else (a resume that skipped the token step) read again from the Secret on the master.
 */
export async function bearerToken(ctx: StepContext, master: string): Promise<Secret> {
  const g = given(ctx);
  if (g) return g;
  if (ctx.dryRun) return Secret.of('<k8sBearerToken>', 'k8sBearerToken');
  return minted.get(ctx.outputs) ?? (await readToken(ctx, master));
}

/** The step that makes the account and reads its token; runs every time (it is cheap and keeps what exists). */
export function adminTokenStep(px: string, master: Host, needs: string[]): Step {
  const m = master.name;
  return {
    id: `${px}-k8s-token`,
    title: msg('mode.caas.step.token'),
    hosts: [m],
    needs,
    async run(ctx) {
      if (given(ctx)) {
        ctx.log('k8s_auth_bearer: the token given in CP_K8S_AUTH_BEARER is used; no ServiceAccount is made');
        return;
      }
      await ctx.exec(m, adminAccountScript(), {
        sudo: true,
        describe: `kubectl create serviceaccount ${ADMIN_SA.name} -n ${ADMIN_SA.namespace}; kubectl create clusterrolebinding ${ADMIN_SA.name} --clusterrole=cluster-admin --serviceaccount=${ADMIN_SA.namespace}:${ADMIN_SA.name}; kubectl apply the token Secret ${ADMIN_SA.namespace}/${ADMIN_SA.secret} (existing ones kept)`,
      });
      await readToken(ctx, m);
    },
  };
}
