// Arguments of every command, checked at the service's boundary: whatever a transport hands over (a page
// over the WebSocket, the renderer over IPC) is untrusted until it passes here. Plans are only checked to
// be objects: telling the person what is wrong with a plan is plan.validate's job, field by field.
import { z } from 'zod';
import { MODES } from '../plan/schema.js';
import type { CommandName } from './types.js';

const plan = z.record(z.string(), z.unknown());
const path = z.string().min(1).max(4096);
const name = z.string().min(1).max(253);
const runId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/);
const text = z.string().max(4 * 1024 * 1024);
const secretMap = z.record(z.string().max(253), z.string().max(16 * 1024)).optional();
const empty = z.object({}).strict();

export const ARG_SCHEMAS = {
  'app.info': empty,
  'plan.new': z.object({ mode: z.enum(MODES) }).strict(),
  'plan.validate': z.object({ plan }).strict(),
  'plan.parse': z.object({ yaml: text }).strict(),
  'plan.toYaml': z.object({ plan, previousYaml: text.optional() }).strict(),
  'plan.load': z.object({ path }).strict(),
  'plan.save': z.object({ path, plan, previousYaml: text.optional() }).strict(),
  'plan.importVars': z.object({ clusterVars: text, edgeVars: text.optional() }).strict(),
  'secrets.set': z
    .object({ password: secretMap, passphrase: secretMap, sudoPassword: secretMap, service: secretMap, remember: z.boolean().optional() })
    .strict(),
  'ssh.test': z.object({ plan, hosts: z.array(name).optional() }).strict(),
  'caas.check': z.object({ plan }).strict(),
  'ssh.acceptHostKey': z.object({ plan, host: name, fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/=]{20,64}$/) }).strict(),
  'preflight.run': z.object({ plan }).strict(),
  'preflight.fix': z.object({ plan, host: name, fixId: z.string().min(1).max(128) }).strict(),
  'run.dryRun': z.object({ plan }).strict(),
  'plan.egress': z.object({ plan }).strict(),
  'run.planChanges': z.object({ runId, plan }).strict(),
  'run.start': z.object({ plan, overrides: z.array(z.string().max(128)).optional() }).strict(),
  'run.cancel': z.object({ runId }).strict(),
  'run.resume': z.object({ runId }).strict(),
  'run.list': empty,
  'run.state': z.object({ runId }).strict(),
  'run.logsSince': z
    .object({ runId, seq: z.number().int().min(0), limit: z.number().int().min(1).max(100_000).optional() })
    .strict(),
  'outputs.kubeconfig': z.object({ runId, saveAs: path.optional(), mergeInto: path.optional() }).strict(),
  'outputs.report': z.object({ runId, lang: z.enum(['en', 'ko']).optional() }).strict(),
  'outputs.supportBundle': z.object({ runId }).strict(),
  'portal.firstLogin': z.object({ runId, fromKeychain: z.boolean().optional() }).strict(),
  'portal.uninstall': z.object({ runId }).strict(),
  'dialog.open': z.object({ title: z.string().max(200).optional(), filters: z.array(z.string().max(32)).optional() }).strict(),
  'dialog.save': z.object({ title: z.string().max(200).optional(), defaultPath: path.optional() }).strict(),
  'bundle.build': z
    .object({
      buildId: runId,
      plan,
      output: path,
      mirror: z.string().url().max(2048).optional(),
      imagesFrom: z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/).max(260).optional(),
      without: z.array(z.enum(['image', 'wheels', 'chart', 'file'])).max(4).optional(),
    })
    .strict(),
  'bundle.cancel': z.object({ buildId: runId }).strict(),
} satisfies Record<CommandName, z.ZodType>;
