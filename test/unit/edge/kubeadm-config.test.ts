import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { findRelease } from '../../../core/plan/catalog.js';
import {
  KubeadmConfigError,
  kubeadmApiVersion,
  kubeadmConfigFromPlan,
  kubeadmReads,
  renderKubeadmConfig,
  type KubeadmConfigInput,
} from '../../../core/tools/kubeadm/config.js';
import { edgePlan } from './plans.js';

const base: KubeadmConfigInput = {
  kubernetesVersion: '1.32.5',
  nodeName: 'cp1',
  advertiseAddress: '10.0.0.10',
  controlPlaneEndpoint: '10.0.0.10',
  podSubnet: '10.233.64.0/18',
  serviceSubnet: '10.233.0.0/18',
  runtime: 'crio',
  certSANs: ['10.0.0.10', '203.0.113.5'],
  apiServerExtraArgs: { 'service-node-port-range': '30000-32767' },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- YAML documents are read loosely here
function docs(text: string): Array<Record<string, any>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);
}

describe('kubeadm config API version', () => {
  it('follows the kubeadm release', () => {
    expect(kubeadmApiVersion('1.21.14')).toBeUndefined();
    expect(kubeadmApiVersion('1.22.0')).toBe('kubeadm.k8s.io/v1beta3');
    expect(kubeadmApiVersion('v1.30.7')).toBe('kubeadm.k8s.io/v1beta3');
    expect(kubeadmApiVersion('1.31.4')).toBe('kubeadm.k8s.io/v1beta4');
    expect(kubeadmApiVersion('1.35.0')).toBe('kubeadm.k8s.io/v1beta4');
  });

  it('knows v1beta3 is gone in 1.35 and v1beta4 absent before 1.31', () => {
    expect(kubeadmReads('1.34.2', 'kubeadm.k8s.io/v1beta3')).toBe(true);
    expect(kubeadmReads('1.35.0', 'kubeadm.k8s.io/v1beta3')).toBe(false);
    expect(kubeadmReads('1.30.0', 'kubeadm.k8s.io/v1beta4')).toBe(false);
    expect(kubeadmReads('1.32.5', 'kubeadm.k8s.io/v1beta2')).toBe(false);
  });
});

describe('renderKubeadmConfig', () => {
  it('writes v1beta4 with extraArgs as name/value lists from 1.31', () => {
    const [init, cluster, kubelet] = docs(renderKubeadmConfig(base));
    expect(init!.apiVersion).toBe('kubeadm.k8s.io/v1beta4');
    expect(init!.kind).toBe('InitConfiguration');
    expect(init!.nodeRegistration).toEqual({
      name: 'cp1',
      criSocket: 'unix:///var/run/crio/crio.sock',
      imagePullPolicy: 'IfNotPresent',
      kubeletExtraArgs: [{ name: 'node-ip', value: '10.0.0.10' }],
    });
    expect(init!.localAPIEndpoint).toEqual({ advertiseAddress: '10.0.0.10', bindPort: 6443 });
    expect(cluster!.kind).toBe('ClusterConfiguration');
    expect(cluster!.kubernetesVersion).toBe('v1.32.5');
    expect(cluster!.controlPlaneEndpoint).toBe('10.0.0.10:6443');
    expect(cluster!.networking).toEqual({ podSubnet: '10.233.64.0/18', serviceSubnet: '10.233.0.0/18', dnsDomain: 'cluster.local' });
    expect(cluster!.apiServer.certSANs).toEqual(['10.0.0.10', '203.0.113.5']);
    expect(cluster!.apiServer.extraArgs).toEqual([{ name: 'service-node-port-range', value: '30000-32767' }]);
    expect(cluster!.imageRepository).toBeUndefined();
    expect(kubelet).toEqual({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', cgroupDriver: 'systemd' });
  });

  it('writes v1beta3 with extraArgs as maps before 1.31', () => {
    const [init, cluster] = docs(renderKubeadmConfig({ ...base, kubernetesVersion: '1.30.7', runtime: 'containerd' }));
    expect(init!.apiVersion).toBe('kubeadm.k8s.io/v1beta3');
    expect(init!.nodeRegistration.criSocket).toBe('unix:///run/containerd/containerd.sock');
    expect(init!.nodeRegistration.kubeletExtraArgs).toEqual({ 'node-ip': '10.0.0.10' });
    expect(cluster!.apiVersion).toBe('kubeadm.k8s.io/v1beta3');
    expect(cluster!.apiServer.extraArgs).toEqual({ 'service-node-port-range': '30000-32767' });
  });

  it('sets imageRepository for a private registry and keeps an explicit endpoint port', () => {
    const [, cluster] = docs(renderKubeadmConfig({ ...base, imageRepository: 'registry.local:5000', controlPlaneEndpoint: 'lb.example:8443' }));
    expect(cluster!.imageRepository).toBe('registry.local:5000');
    expect(cluster!.controlPlaneEndpoint).toBe('lb.example:8443');
  });

  it('refuses a Kubernetes no kubeadm config API fits', () => {
    expect(() => renderKubeadmConfig({ ...base, kubernetesVersion: '1.18.6' })).toThrow(KubeadmConfigError);
    try {
      renderKubeadmConfig({ ...base, kubernetesVersion: '1.18.6' });
    } catch (e) {
      expect((e as KubeadmConfigError).error).toEqual({ key: 'kubeadm.config.unsupported-version', params: { version: '1.18.6' } });
    }
  });

  it('builds from a plan: public address among the SANs, the HA domain as endpoint', () => {
    const plan = edgePlan({ cluster: { loadBalancerDomain: 'api.cp.example', runtime: 'containerd' }, registry: { address: 'reg.local:5000' } } as never);
    const release = findRelease(plan.release)!;
    const input = kubeadmConfigFromPlan(plan, release, plan.hosts[0]!);
    expect(input.certSANs).toEqual(['10.0.0.10', '203.0.113.5', 'cp1', 'api.cp.example']);
    const [init, cluster] = docs(renderKubeadmConfig(input));
    expect(init!.localAPIEndpoint.advertiseAddress).toBe('10.0.0.10');
    expect(cluster!.controlPlaneEndpoint).toBe('api.cp.example:6443');
    expect(cluster!.kubernetesVersion).toBe('v1.32.5');
    expect(cluster!.imageRepository).toBe('reg.local:5000');
    expect(init!.nodeRegistration.criSocket).toBe('unix:///run/containerd/containerd.sock');
  });
});
