// Expand-edge: KubeEdge added to a cluster that exists; its control plane is reached over SSH, never rebuilt.
import { msg } from '../../common/messages.js';
import { countRole, planIssue, type ModeProfile } from '../profile.js';
import type { PlanIssue } from '../../plan/issues.js';

export const expandEdgeProfile: ModeProfile = {
  name: 'expand-edge',
  cluster: 'existing',
  kubeedge: true,
  // Only what the steps use: the wizard offers these, and validation names any other role as left idle.
  roles: ['control-plane', 'edge'],
  rules(plan) {
    const out: PlanIssue[] = [];
    if (countRole(plan, 'control-plane') === 0) out.push(planIssue('error', 'hosts', 'plan.expandEdge.noControlPlane'));
    if (countRole(plan, 'edge') === 0) out.push(planIssue('error', 'hosts', 'plan.edge.noEdgeHost', { mode: plan.mode }));
    return out;
  },
  // The cluster's own hosts already run Kubernetes: only the edge work (cloudcore's ports) touches them.
  preflight: { newClusterNodes: false, ansible: false, kubeadm: false },
  wizard: {
    title: msg('mode.expand-edge.card'),
    description: msg('mode.expand-edge.desc'),
    icon: '⊕',
    // The pod network, storage and portal are the existing cluster's: nothing to ask.
    sections: ['registry', 'bundle', 'edge', 'edgeKubeconfig'],
    hostsHint: msg('mode.expand-edge.hostsHint'),
  },
  outputs: [],
  messages: {
    en: {
      'mode.expand-edge.card': 'Add edge nodes',
      'mode.expand-edge.desc': 'Add KubeEdge edge nodes to a cluster that already runs.',
      'mode.expand-edge.hostsHint':
        'The control plane is the existing cluster\'s: add one of its control-plane hosts (kubectl and keadm init run there, nothing is reinstalled), then the edge hosts to join.',
    },
    ko: {
      'mode.expand-edge.card': '엣지 노드 추가',
      'mode.expand-edge.desc': '이미 운영 중인 클러스터에 KubeEdge 엣지 노드를 추가합니다.',
      'mode.expand-edge.hostsHint':
        '컨트롤 플레인은 기존 클러스터의 것입니다. 그 컨트롤 플레인 호스트 하나(kubectl과 keadm init을 실행하며 아무것도 다시 설치하지 않음)와 연결할 엣지 호스트를 추가하세요.',
    },
  },
};
