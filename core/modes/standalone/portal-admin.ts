// The portal's first administrator (the guide's §4.1): read from the secret cp-portal-secret in namespace
// cp-portal once the portal is installed, and handed over once. The password is a Secret from the moment it
// is read: masked in every log line from then on (ctx.addSecret), never set as an output (outputs are
// journaled), kept only in this process's memory until a shell takes it — and then gone.
import { msg } from '../../common/messages.js';
import { Secret } from '../../common/secret.js';
import type { Step } from '../../install/step.js';
import { adminSecretCommand } from '../../tools/portal/commands.js';
import { ADMIN_PASSWORD_KEY, ADMIN_USER_KEY, PORTAL_NAMESPACE, PORTAL_SECRET } from '../../tools/portal/components.js';

export interface PortalAdmin {
  user: string;
  password: Secret;
}

const handover = new Map<string, PortalAdmin>();

/** The run's portal administrator, once: a second call (or another shell) gets nothing. */
export function takePortalAdmin(runId: string): PortalAdmin | undefined {
  const admin = handover.get(runId);
  handover.delete(runId);
  return admin;
}

const KUBECONFIG = '/etc/kubernetes/admin.conf';

function decode(b64: string): string {
  return Buffer.from(b64.trim(), 'base64').toString('utf8');
}

export function portalAdminStep(master: string, needs: string[]): Step {
  return {
    id: 'portal-admin',
    title: msg('cp-portal.step.admin'),
    hosts: [master],
    needs,
    retry: { attempts: 2, delayMs: 5000 },
    // Every run reads it again (a resumed run hands it over too): one kubectl read, nothing changed.
    async run(ctx) {
      const read = async (key: typeof ADMIN_USER_KEY | typeof ADMIN_PASSWORD_KEY) => {
        // quiet: the value (base64) never reaches the step log.
        const r = await ctx.exec(master, adminSecretCommand(KUBECONFIG, key), { sudo: true, quiet: true, check: false, describe: `kubectl get secret ${PORTAL_SECRET} -n ${PORTAL_NAMESPACE} (${key})` });
        return r.code === 0 ? r.stdout.trim() : '';
      };
      if (ctx.dryRun) {
        await read(ADMIN_USER_KEY);
        await read(ADMIN_PASSWORD_KEY);
        return;
      }
      const userB64 = await read(ADMIN_USER_KEY);
      const passwordB64 = await read(ADMIN_PASSWORD_KEY);
      if (passwordB64) ctx.addSecret(passwordB64);
      const password = decode(passwordB64);
      if (password) ctx.addSecret(password);
      const user = decode(userB64);
      if (!user || !password) {
        ctx.log(`warning: ${PORTAL_SECRET} in ${PORTAL_NAMESPACE} has no ${!user ? ADMIN_USER_KEY : ADMIN_PASSWORD_KEY}: read it later with kubectl get secret ${PORTAL_SECRET} -n ${PORTAL_NAMESPACE}`);
        return;
      }
      handover.set(ctx.runId, { user, password: Secret.of(password, 'portal admin password') });
      ctx.outputs.set('portalAdminUser', user);
      ctx.log(`the portal administrator (${user}) was read from ${PORTAL_SECRET}; its password is handed over once, never written`);
    },
  };
}
