import { describe, expect, it } from 'vitest';
import {
  affinityPatchCommand,
  affinityTargets,
  EDGE_AFFINITY_JSON_PATCH,
  hasEdgeAffinity,
} from '../../../core/tools/kubectl/affinity.js';
import { cloudcoreServicePatch, podNodes, renderCloudcorePool } from '../../../core/tools/kubectl/cloud.js';
import { parseNodes, rolesColumn, verifyEdgeNodes } from '../../../core/tools/kubectl/nodes.js';

const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/edge', operator: 'DoesNotExist' }] }] } } };
const wl = (kind: string, namespace: string, name: string, spec: Record<string, unknown> = {}) => ({
  kind,
  metadata: { name, namespace },
  spec: { template: { spec } },
});

describe('affinity targets', () => {
  const list = JSON.stringify({
    items: [
      wl('DaemonSet', 'kube-system', 'calico-node'),
      wl('DaemonSet', 'kube-system', 'kube-proxy', { affinity }),
      wl('DaemonSet', 'kube-system', 'nodelocaldns'),
      wl('DaemonSet', 'metallb-system', 'speaker'),
      wl('Deployment', 'metallb-system', 'controller'),
      wl('Deployment', 'kube-system', 'coredns'),
      wl('DaemonSet', 'kubeedge', 'cloud-iptables-manager'),
      wl('DaemonSet', 'edgemesh', 'edgemesh-agent'),
      wl('DaemonSet', 'default', 'edge-only', { nodeSelector: { 'node-role.kubernetes.io/edge': '' } }),
      wl('Deployment', 'nfs-provisioner', 'nfs-subdir-external-provisioner'),
    ],
  });

  it('every cloud DaemonSet and the platform\'s Deployments, not the patched, not KubeEdge\'s own', () => {
    expect(affinityTargets(list).map((t) => `${t.kind}/${t.namespace}/${t.name}`)).toEqual([
      'daemonset/kube-system/calico-node',
      'daemonset/kube-system/nodelocaldns',
      'daemonset/metallb-system/speaker',
      'deployment/metallb-system/controller',
      'deployment/nfs-provisioner/nfs-subdir-external-provisioner',
    ]);
  });

  it('recognises the rule, also when another term would let edge nodes in', () => {
    expect(hasEdgeAffinity(wl('DaemonSet', 'a', 'b', { affinity }))).toBe(true);
    const loose = structuredClone(affinity);
    loose.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.push({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] });
    expect(hasEdgeAffinity(wl('DaemonSet', 'a', 'b', { affinity: loose }))).toBe(false);
    expect(hasEdgeAffinity(wl('DaemonSet', 'a', 'b'))).toBe(false);
  });

  it('patches the pod template with a JSON patch', () => {
    const cmd = affinityPatchCommand('/etc/kubernetes/admin.conf', { kind: 'daemonset', namespace: 'kube-system', name: 'calico-node' });
    expect(cmd).toBe(
      `kubectl --kubeconfig /etc/kubernetes/admin.conf patch daemonset calico-node -n kube-system --type json -p '${JSON.stringify(EDGE_AFFINITY_JSON_PATCH)}'`,
    );
    expect(EDGE_AFFINITY_JSON_PATCH[0]!.value).toEqual(affinity);
  });
});

describe('nodes', () => {
  const json = JSON.stringify({
    items: [
      {
        metadata: { name: 'cp1', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/os': 'linux' } },
        status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.5' }, addresses: [{ type: 'InternalIP', address: '10.0.0.10' }] },
      },
      {
        metadata: { name: 'edge-1', labels: { 'node-role.kubernetes.io/edge': '', 'node-role.kubernetes.io/agent': '' } },
        status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.10-kubeedge-v1.23.1' } },
      },
      { metadata: { name: 'edge-2', labels: { 'node-role.kubernetes.io/edge': '', 'node-role.kubernetes.io/agent': '' } }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } },
      { metadata: { name: 'w1', labels: {} }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    ],
  });

  it('parses Ready, roles as kubectl shows them, versions', () => {
    const nodes = parseNodes(json);
    expect(nodes.map(rolesColumn)).toEqual(['control-plane', 'agent,edge', 'agent,edge', '<none>']);
    expect(nodes[0]).toEqual({ name: 'cp1', ready: true, roles: ['control-plane'], kubeletVersion: 'v1.32.5', internalIp: '10.0.0.10' });
    expect(nodes[2]!.ready).toBe(false);
  });

  it('verifies planned edge hosts', () => {
    expect(verifyEdgeNodes(parseNodes(json), ['edge-1', 'edge-2', 'edge-3', 'w1'])).toEqual({
      ready: ['edge-1'],
      problems: [
        { name: 'edge-2', reason: 'not-ready' },
        { name: 'edge-3', reason: 'missing' },
        { name: 'w1', reason: 'roles', detail: '<none>' },
      ],
    });
  });
});

describe('cloudcore objects', () => {
  it('a MetalLB pool of one address, not auto-assigned', () => {
    expect(renderCloudcorePool('10.0.0.200')).toBe(
      'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: cloudcore\n  namespace: metallb-system\nspec:\n  addresses:\n    - 10.0.0.200/32\n  autoAssign: false\n' +
        '---\napiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata:\n  name: cloudcore\n  namespace: metallb-system\nspec:\n  ipAddressPools:\n    - cloudcore\n',
    );
  });

  it('the Service as LoadBalancer with NodePorts 30000-30004', () => {
    const p = cloudcoreServicePatch('10.0.0.200') as { spec: { type: string; ports: unknown[] } };
    expect(p.spec.type).toBe('LoadBalancer');
    expect(p.spec.ports).toEqual([10000, 10001, 10002, 10003, 10004].map((port, i) => ({ port, nodePort: 30000 + i })));
  });

  it('where pods run', () => {
    const json = JSON.stringify({ items: [{ metadata: { name: 'cloudcore-1' }, spec: { nodeName: 'cp1' }, status: { hostIP: '10.0.0.10', phase: 'Running' } }, { metadata: { name: 'p' } }] });
    expect(podNodes(json)).toEqual([{ name: 'cloudcore-1', node: 'cp1', hostIP: '10.0.0.10', phase: 'Running' }, { name: 'p' }]);
  });
});
