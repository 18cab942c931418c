// Settings of a caas plan: the BOSH director and PaaS-TA, their six secrets (memory only, handed to the
// engine through secrets.set like the SSH secrets), and the check of both from the jump box (caas.check),
// which Settings needs passed before it lets the person on. The 2021 standalone and edge (a release whose
// middleware is BOSH's) take the same director section and check, without PaaS-TA, once the person chooses
// the BOSH middleware (the plan's bosh section).
import { useId } from 'react';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { CheckField, Section, SelectField, TextField } from '../components/field.js';
import { getSetting, setSetting } from '../lib/plan-edit.js';
import { boshSelectsVariant, boshShape, CAAS_SECRETS, caasCheckKey } from '../store/caas.js';
import type { CheckResult, PlanInput } from '../../core/api/types.js';

/** Schema defaults shown as placeholders (core/plan/schema.ts Bosh, Paasta). */
const DEFAULTS: Record<string, string> = {
  'bosh.client': 'admin',
  'bosh.directorName': 'micro-bosh',
  'bosh.deployment': 'paasta-container-platform',
  'bosh.stemcell.os': 'ubuntu-xenial',
  'bosh.stemcell.version': '621.94',
  'bosh.networks.private': 'default',
  'bosh.networks.privateNat': 'default',
  'bosh.networks.public': 'vip',
  'bosh.vmTypes.small': 'small',
  'bosh.vmTypes.containerSmall': 'small',
  'bosh.azs.haproxy': 'z7',
  'bosh.azs.mariadb': 'z5',
  'bosh.azs.registry': 'z7',
  'bosh.mariadb.adminUser': 'cp-admin',
  'bosh.mariadb.port': '13306',
  'bosh.mariadb.diskType': '10GB',
  'bosh.registry.port': '5001',
  'bosh.registry.diskType': '10GB',
  'paasta.cfAdminUser': 'admin',
  'paasta.uaaAdminClient': 'admin',
  'paasta.brokerName': 'container-service-broker',
  'paasta.brokerUser': 'admin',
};

type Kind = 'text' | 'number' | 'list';

function useField() {
  const plan = useStore((s) => s.plan)!;
  const edit = useStore((s) => s.edit);
  const examples = useStore((s) => s.examples);
  const m = useMsg();
  return (section: 'bosh' | 'paasta', key: string, kind: Kind = 'text') => {
    const path = `${section}.${key}`;
    const raw = getSetting(plan, section, key);
    const value = raw === undefined || raw === null ? '' : Array.isArray(raw) ? raw.join(', ') : String(raw);
    const toPlan = (v: string): unknown => {
      if (v.trim() === '') return undefined;
      if (kind === 'number') return /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
      if (kind === 'list') return v.split(',').map((x) => x.trim()).filter(Boolean);
      return v;
    };
    return (
      <TextField
        key={path}
        label={m(`ui.set.${path}`)}
        help={m(`ui.set.${path}.help`)}
        path={path}
        value={value}
        placeholder={examples[path] ?? DEFAULTS[path] ?? m('ui.set.optional')}
        onChange={(v) => edit((p) => setSetting(p, section, key, toPlan(v)))}
      />
    );
  };
}

/** The section's one yes/no setting, then the secrets it hands to the jump box's CLIs (kept in memory only). */
function ToggleAndSecrets({ section, toggle }: { section: 'bosh' | 'paasta'; toggle: string }) {
  const plan = useStore((s) => s.plan);
  const edit = useStore((s) => s.edit);
  const m = useMsg();
  if (!plan) return null;
  return (
    <>
      <CheckField
        label={m(`ui.set.${section}.${toggle}`)}
        help={m(`ui.set.${section}.${toggle}.help`)}
        checked={getSetting(plan, section, toggle) === true}
        onChange={(v) => edit((p) => setSetting(p, section, toggle, v || undefined))}
        testid={`setting-${section}.${toggle}`}
      />
      <h4>{m('ui.caas.secrets')}</h4>
      <p className="field-help">{m('ui.caas.secrets.help')}</p>
      <div className="grid-2">
        {CAAS_SECRETS[section].map((k) => (
          <SecretInput key={k} kind={k} />
        ))}
      </div>
    </>
  );
}

/** A service secret typed in Settings (kept in memory, pushed to the engine's session; never in the plan). */
export function SecretInput({ kind }: { kind: string }) {
  const value = useStore((s) => s.serviceSecrets[kind] ?? '');
  const setSecret = useStore((s) => s.setServiceSecret);
  const push = useStore((s) => s.pushSecrets);
  const id = useId();
  const m = useMsg();
  const helpKey = `ui.caas.secret.${kind}.help`;
  const help = m(helpKey);
  return (
    <div className="field">
      <label htmlFor={id}>{m(`ui.caas.secret.${kind}`)}</label>
      <input id={id} type="password" value={value} onChange={(e) => setSecret(kind, e.target.value)} onBlur={() => void push()} data-testid={`caas-secret-${kind}`} autoComplete="off" />
      {help !== helpKey && <div className="field-help">{help}</div>}
    </div>
  );
}

export function BoshSection() {
  const plan = useStore((s) => s.plan);
  const edit = useStore((s) => s.edit);
  const m = useMsg();
  const field = useField();
  if (!plan) return null;
  return (
    <Section title={m('ui.set.bosh')} intro={m('ui.set.bosh.intro')}>
      <div className="grid-2" data-testid="caas-bosh">
        {field('bosh', 'directorAddress')}
        {field('bosh', 'environment')}
        {field('bosh', 'caCertFile')}
        {field('bosh', 'client')}
        <SelectField
          label={m('ui.set.bosh.iaas')}
          help={m('ui.set.bosh.iaas.help')}
          path="bosh.iaas"
          value={String(getSetting(plan, 'bosh', 'iaas') ?? 'aws')}
          onChange={(v) => edit((p) => setSetting(p, 'bosh', 'iaas', v))}
          options={[
            { value: 'aws', label: 'AWS' },
            { value: 'openstack', label: 'OpenStack' },
          ]}
        />
        {field('bosh', 'directorName')}
        {field('bosh', 'deployment')}
        {field('bosh', 'stemcell.os')}
        {field('bosh', 'stemcell.version')}
        {field('bosh', 'networks.private')}
        {field('bosh', 'networks.privateNat')}
        {field('bosh', 'networks.public')}
        {field('bosh', 'vmTypes.small')}
        {field('bosh', 'vmTypes.containerSmall')}
        {field('bosh', 'azs.haproxy', 'list')}
        {field('bosh', 'azs.mariadb', 'list')}
        {field('bosh', 'azs.registry', 'list')}
        {field('bosh', 'haproxyAddress')}
        {field('bosh', 'mariadb.adminUser')}
        {field('bosh', 'mariadb.port', 'number')}
        {field('bosh', 'mariadb.diskType')}
        {field('bosh', 'registry.port', 'number')}
        {field('bosh', 'registry.diskType')}
        {field('bosh', 'treePath')}
      </div>
      <ToggleAndSecrets section="bosh" toggle="offlineReleases" />
    </Section>
  );
}

export function PaastaSection() {
  const plan = useStore((s) => s.plan);
  const m = useMsg();
  const field = useField();
  if (!plan) return null;
  return (
    <Section title={m('ui.set.paasta')} intro={m('ui.set.paasta.intro')}>
      <div className="grid-2" data-testid="caas-paasta">
        {field('paasta', 'cfApi')}
        {field('paasta', 'uaaUrl')}
        {field('paasta', 'systemDomain')}
        {field('paasta', 'workerAddress')}
        {field('paasta', 'cfAdminUser')}
        {field('paasta', 'uaaAdminClient')}
        {field('paasta', 'brokerName')}
        {field('paasta', 'brokerUser')}
      </div>
      <ToggleAndSecrets section="paasta" toggle="skipSslValidation" />
    </Section>
  );
}

/** Everything of the director (and PaaS-TA) Settings shows for the plan's mode and release. */
export function BoshSettings() {
  const shape = useStore(boshShape);
  const hasBosh = useStore((s) => !!s.plan?.bosh);
  // The edge's toggle also chooses the 2021 edge (Kubespray cloud): said so, since its hosts and sections change.
  const variant = useStore(boshSelectsVariant);
  const edit = useStore((s) => s.edit);
  const m = useMsg();
  if (shape === 'none') return null;
  const inUse = shape === 'withPaasta' || hasBosh;
  return (
    <>
      {shape === 'optional' && (
        <Section title={m('ui.set.boshMiddleware')} intro={m(variant ? 'ui.set.boshMiddleware.introEdge' : 'ui.set.boshMiddleware.intro')}>
          <CheckField
            label={m('ui.set.boshMiddleware.enabled')}
            help={m(variant ? 'ui.set.boshMiddleware.enabled.helpEdge' : 'ui.set.boshMiddleware.enabled.help')}
            checked={hasBosh}
            // The IaaS keeps the section in the plan while its fields are being filled in (an emptied field
            // would otherwise take the whole section with it).
            onChange={(v) => edit((p) => (v ? { ...p, bosh: (p.bosh ?? { iaas: 'aws' }) as PlanInput['bosh'] } : withoutBosh(p)))}
            testid="setting-bosh.enabled"
          />
        </Section>
      )}
      {inUse && <BoshSection />}
      {shape === 'withPaasta' && <PaastaSection />}
      {inUse && <CaasCheckPanel />}
    </>
  );
}

/**
 * Above the Hosts table of a mode whose BOSH middleware makes it another variant (the edge on paasta-v1.0): what
 * that variant's hosts are, or that choosing it in Settings offers its roles here.
 */
export function BoshHostsNote() {
  const shape = useStore(boshShape);
  const variant = useStore(boshSelectsVariant);
  const hasBosh = useStore((s) => !!s.plan?.bosh);
  const m = useMsg();
  if (shape !== 'optional' || !variant) return null;
  return (
    <p className="hint" data-testid="hosts-bosh-note" data-bosh={hasBosh ? 'on' : 'off'}>
      {m(hasBosh ? 'ui.hosts.edgeBosh.on' : 'ui.hosts.edgeBosh.off')}
    </p>
  );
}

function withoutBosh(p: PlanInput): PlanInput {
  const next = { ...p };
  delete next.bosh;
  return next;
}

const ICON: Record<CheckResult['status'], string> = { pass: '✓', warn: '!', fail: '✕' };

export function CaasCheckPanel() {
  const plan = useStore((s) => s.plan);
  const secrets = useStore((s) => s.serviceSecrets);
  const result = useStore((s) => s.caasCheck);
  const checking = useStore((s) => s.caasChecking);
  const run = useStore((s) => s.runCaasCheck);
  const validation = useStore((s) => s.validation);
  const m = useMsg();
  if (!plan) return null;
  const jump = (plan.hosts ?? []).find((h) => h.roles?.includes('jumpbox'))?.name ?? '';
  const stale = !!result && result.key !== caasCheckKey(plan as PlanInput, secrets);
  const failing = result?.checks.filter((c) => c.status === 'fail').length ?? 0;
  const invalid = !!validation && !validation.valid;
  let state: string;
  if (checking) state = m('ui.caas.check.running', { host: jump });
  else if (!result) state = m('ui.caas.check.none');
  else if (stale) state = m('ui.caas.check.stale');
  else state = failing ? m('ui.caas.check.failed', { host: result.host, count: failing }) : m('ui.caas.check.ok', { host: result.host });
  return (
    <Section title={m(plan.paasta ? 'ui.caas.check.title' : 'ui.caas.check.titleBosh')} intro={m(plan.paasta ? 'ui.caas.check.lead' : 'ui.caas.check.leadBosh')}>
      <div className="profile-head">
        <p className={failing && !stale ? 'warn-text' : 'muted'} data-testid="caas-check-state" data-state={checking ? 'running' : !result ? 'none' : stale ? 'stale' : failing ? 'failed' : 'ok'}>
          {state}
        </p>
        <button type="button" className="primary" disabled={checking || invalid || !jump} onClick={() => void run()} data-testid="caas-check-run">
          {m('ui.caas.check.run')}
        </button>
      </div>
      {!jump && (
        <p className="warn-text" data-testid="caas-check-nojump">
          {m('ui.caas.check.noJump')}
        </p>
      )}
      {result && (
        <ul className={`check-list${stale ? " stale" : ""}`} data-testid="caas-check-list">
          {result.checks.map((c) => (
            <li key={c.id} className={`check ${c.status}`} data-testid={`caas-check-${c.id}`} data-status={c.status}>
              <span className={`badge ${c.status}`} aria-label={m(`ui.verdict.${c.status}`)}>
                {ICON[c.status]}
              </span>
              <div className="check-body">
                <div className="check-title">
                  {m(c.title)} <code className="muted">{c.id}</code>
                </div>
                <div>{m(c.message)}</div>
                {c.remedy && <div className="remedy">→ {m(c.remedy)}</div>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
