// Standalone: one Kubernetes cluster made by Kubespray from the deployer, with storage, ingress and portal.
import { msg } from '../../common/messages.js';
import { countRole, planIssue, type ModeProfile } from '../profile.js';

export const standaloneProfile: ModeProfile = {
  name: 'standalone',
  cluster: 'kubespray',
  kubeedge: false,
  roles: ['control-plane', 'worker', 'etcd', 'deployer', 'nfs', 'lb'],
  rules(plan) {
    const out = [];
    if (countRole(plan, 'control-plane') === 0) out.push(planIssue('error', 'hosts', 'plan.roles.noControlPlane', { mode: plan.mode }));
    if (countRole(plan, 'worker') === 0) out.push(planIssue('error', 'hosts', 'plan.roles.noWorker', { mode: plan.mode }));
    return out;
  },
  preflight: { newClusterNodes: true, ansible: true, kubeadm: false },
  wizard: {
    title: msg('mode.standalone.card'),
    description: msg('mode.standalone.desc'),
    icon: '▦',
    sections: ['podNetwork', 'clusterLayout', 'loadBalancer', 'storage', 'portal', 'registry', 'bundle'],
  },
  outputs: ['kubeconfig', 'endpoints', 'report'],
  messages: {
    en: {
      'mode.standalone.card': 'Standalone cluster',
      'mode.standalone.desc': 'A Kubernetes cluster with the K-PaaS portal, installed with Kubespray.',
    },
    ko: {
      'mode.standalone.card': '단독형 클러스터',
      'mode.standalone.desc': 'Kubespray로 설치하는 Kubernetes 클러스터와 K-PaaS 포털.',
    },
  },
};
