// Settings: network, storage, portal, registry, offline bundle (and edge addresses in the edge modes). Each
// field says in one line what it is for; empty fields take the release's default, shown as placeholder;
// example addresses are placeholders only, fitted to the hosts' network. The offline bundle's layout is shown,
// and a bundle folder that is not usable is reported at once.

import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { CheckField, Section, SelectField, TextField } from '../components/field.js';
import { getSetting, hostsNetPrefix, setSetting } from '../lib/plan-edit.js';
import type { SettingsSection } from '../../core/api/types.js';
import { BundleBuild } from '../components/bundle-build.js';
import { BundleHelp } from '../components/bundle-help.js';
import { BoshSettings, SecretInput } from './caas-settings.js';
import { modeView } from '../store/caas.js';

type SectionName = Parameters<typeof setSetting>[1];

/** Defaults the schema applies when a field is empty (core/plan/schema.ts). */
const DEFAULTS: Record<string, string> = {
  'cluster.podCidr': '10.233.64.0/18',
  'cluster.serviceCidr': '10.233.0.0/18',
  'cluster.name': 'cp-cluster',
  'storage.nfs.path': '/home/share/nfs',
};

export function SettingsScreen() {
  const plan = useStore((s) => s.plan);
  const edit = useStore((s) => s.edit);
  const info = useStore((s) => s.info);
  const examples = useStore((s) => s.examples);
  const m = useMsg();
  if (!plan) return null;
  // Placeholders fit the hosts' own network (10.252.0.x hosts: 10.252.0.200-…), else the mode's example.
  const net = hostsNetPrefix(plan);
  const example = (key: string, fromNet: (n: string) => string, fallback: string) => (net ? fromNet(net) : (examples[key] ?? fallback));
  const release = info?.releases.find((r) => r.name === plan.release);
  const str = (section: SectionName, key: string) => {
    const v = getSetting(plan, section, key);
    return v === undefined || v === null ? '' : String(v);
  };
  const text = (section: SectionName, key: string, extra?: { placeholder?: string }) => (
    <TextField
      label={m(`ui.set.${section}.${key}`)}
      help={m(`ui.set.${section}.${key}.help`)}
      path={`${section}.${key}`}
      value={str(section, key)}
      placeholder={extra?.placeholder ?? DEFAULTS[`${section}.${key}`]}
      onChange={(v) => edit((p) => setSetting(p, section, key, v))}
    />
  );
  const storageType = str('storage', 'type') || 'nfs';
  const tlsMode = str('portal', 'tls.mode') || 'auto';
  const portalEnabled = getSetting(plan, 'portal', 'enabled') !== false;
  // What the mode's descriptor says applies (app.info `modes`), for the variant the plan is (the 2021 edge once
  // the BOSH middleware is chosen); everything until the engine has answered.
  const modeInfo = modeView({ info, plan });
  const shows = (section: SettingsSection) => !modeInfo || modeInfo.sections.includes(section);
  const ingress = str('network', 'ingressIp');
  return (
    <div>
      <h2 id="screen-title">{m('ui.set.title')}</h2>
      <p className="lead">{m('ui.set.lead')}</p>
      {release && (
        <p className="release-line" data-testid="settings-release">
          {release.title} · Kubernetes {release.kubernetes}
          {release.kubeedge ? ` · KubeEdge ${release.kubeedge}` : ''}
        </p>
      )}
      <Section title={m('ui.set.network')}>
        <div className="grid-2">
          {shows('podNetwork') && text('cluster', 'podCidr')}
          {shows('podNetwork') && text('cluster', 'serviceCidr')}
          {shows('loadBalancer') && text('network', 'metallbRange', { placeholder: example('network.metallbRange', (n) => `${n}.200-${n}.220`, '10.0.0.200-10.0.0.220') })}
          {shows('loadBalancer') && text('network', 'ingressIp', { placeholder: example('network.ingressIp', (n) => `${n}.230`, '10.0.0.230') })}
          {shows('clusterLayout') && text('cluster', 'loadBalancerDomain', { placeholder: m('ui.set.optional') })}
          {shows('clusterLayout') && <SelectField
            label={m('ui.set.cluster.etcdType')}
            help={m('ui.set.cluster.etcdType.help')}
            path="cluster.etcdType"
            value={str('cluster', 'etcdType')}
            onChange={(v) => edit((p) => setSetting(p, 'cluster', 'etcdType', v))}
            options={[
              { value: '', label: m('ui.set.releaseDefault') },
              { value: 'stacked', label: m('ui.set.etcd.stacked') },
              { value: 'external', label: m('ui.set.etcd.external') },
            ]}
          />}
          <SelectField
            label={m('ui.set.cluster.runtime')}
            help={m('ui.set.cluster.runtime.help')}
            path="cluster.runtime"
            value={str('cluster', 'runtime') || 'crio'}
            onChange={(v) => edit((p) => setSetting(p, 'cluster', 'runtime', v))}
            options={[
              { value: 'crio', label: 'CRI-O' },
              { value: 'containerd', label: 'containerd' },
            ]}
          />
        </div>
      </Section>
      {shows('storage') && <Section title={m('ui.set.storage')}>
        <div className="grid-2">
          <SelectField
            label={m('ui.set.storage.type')}
            help={m('ui.set.storage.type.help')}
            path="storage.type"
            value={storageType}
            onChange={(v) => edit((p) => setSetting(p, 'storage', 'type', v))}
            options={[
              { value: 'nfs', label: 'NFS' },
              { value: 'rook-ceph', label: 'Rook Ceph' },
            ]}
          />
          {storageType === 'nfs' && text('storage', 'nfs.server', { placeholder: m('ui.set.nfsServerDefault') })}
          {storageType === 'nfs' && text('storage', 'nfs.path')}
        </div>
      </Section>}
      {shows('portal') && <Section title={m('ui.set.portal')}>
        <CheckField label={m('ui.set.portal.enabled')} help={m('ui.set.portal.enabled.help')} checked={portalEnabled} onChange={(v) => edit((p) => setSetting(p, 'portal', 'enabled', v ? undefined : false))} testid="setting-portal.enabled" />
        {portalEnabled && (
          <div className="grid-2">
            {text('portal', 'archive', { placeholder: '/path/to/cp-portal-deployment-v1.6.1.1.tar.gz' })}
            {text('portal', 'domain', { placeholder: ingress ? `${ingress}.nip.io` : '<ingress IP>.nip.io' })}
            <SelectField
              label={m('ui.set.portal.tls.mode')}
              help={m('ui.set.portal.tls.mode.help')}
              path="portal.tls.mode"
              value={tlsMode}
              onChange={(v) => edit((p) => setSetting(p, 'portal', 'tls.mode', v === 'auto' ? undefined : v))}
              options={[
                { value: 'auto', label: m('ui.set.tls.auto') },
                { value: 'provided', label: m('ui.set.tls.provided') },
              ]}
            />
            {tlsMode === 'provided' && text('portal', 'tls.certFile', { placeholder: '/path/to/tls.crt' })}
            {tlsMode === 'provided' && text('portal', 'tls.keyFile', { placeholder: '/path/to/tls.key' })}
          </div>
        )}
      </Section>}
      <Section title={m('ui.set.registryBundle')}>
        <div className="grid-2">
          {text('registry', 'address', { placeholder: m('ui.set.optional') })}
          {plan.registry?.address && text('registry', 'caFile', { placeholder: m('ui.set.optional') })}
          {plan.registry?.address && text('registry', 'user', { placeholder: m('ui.set.optional') })}
          {plan.registry?.user && <SecretInput kind="registryPassword" />}
          {plan.registry?.address && (
            <CheckField label={m('ui.set.registry.insecure')} help={m('ui.set.registry.insecure.help')} checked={!!plan.registry.insecure} onChange={(v) => edit((p) => setSetting(p, 'registry', 'insecure', v || undefined))} testid="setting-registry.insecure" />
          )}
          {text('bundle', 'path', { placeholder: m('ui.set.bundleNone') })}
          {text('bundle', 'file', { placeholder: m('ui.set.optional') })}
          {plan.bundle?.file && !plan.registry?.address && (
            <CheckField label={m('ui.set.bundle.registryTls')} help={m('ui.set.bundle.registryTls.help')} checked={plan.bundle.registryTls !== false} onChange={(v) => edit((p) => setSetting(p, 'bundle', 'registryTls', v ? undefined : false))} testid="setting-bundle.registryTls" />
          )}
        </div>
        <BundleBuild />
        <BundleHelp />
      </Section>
      {shows('edge') && (
        <Section title={m('ui.set.edge')}>
          <div className="grid-2">
            {text('edge', 'cloudcoreAddress', { placeholder: m('ui.set.firstControlPlane') })}
            {text('edge', 'cloudcorePrivateAddress', { placeholder: m('ui.set.optional') })}
            {shows('edgeKubeconfig') && text('edge', 'kubeconfig', { placeholder: '~/.kube/config' })}
          </div>
        </Section>
      )}
      <BoshSettings />
    </div>
  );
}

