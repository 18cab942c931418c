// Edge: a one-control-plane cloud made with kubeadm, Calico, cloudcore, and edge hosts joined with keadm.
import { msg } from '../../common/messages.js';
import { countRole, planIssue, type ModeProfile } from '../profile.js';
import type { PlanIssue } from '../../plan/issues.js';

export const edgeProfile: ModeProfile = {
  name: 'edge',
  cluster: 'kubeadm',
  kubeedge: true,
  // Only what the steps use: the wizard offers these, and validation names any other role as left idle.
  roles: ['control-plane', 'edge'],
  rules(plan) {
    const out: PlanIssue[] = [];
    const cps = countRole(plan, 'control-plane');
    if (cps !== 1) out.push(planIssue('error', 'hosts', 'plan.edge.controlPlaneCount', { count: cps }));
    if (countRole(plan, 'edge') === 0) out.push(planIssue('error', 'hosts', 'plan.edge.noEdgeHost', { mode: plan.mode }));
    return out;
  },
  preflight: { newClusterNodes: true, ansible: false, kubeadm: true },
  wizard: {
    title: msg('mode.edge.card'),
    description: msg('mode.edge.desc'),
    icon: '⌬',
    sections: ['podNetwork', 'registry', 'bundle', 'edge'],
  },
  outputs: [],
  messages: {
    en: {
      'mode.edge.card': 'Edge cluster',
      'mode.edge.desc': 'A cluster with KubeEdge: cloud nodes run cloudcore, edge nodes join with keadm.',
    },
    ko: {
      'mode.edge.card': '엣지 클러스터',
      'mode.edge.desc': 'KubeEdge 클러스터: 클라우드 노드에 cloudcore, 엣지 노드는 keadm으로 연결.',
    },
  },
};
