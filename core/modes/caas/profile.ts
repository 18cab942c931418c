// CaaS on PaaS-TA: a Kubespray cluster registered with an existing PaaS-TA (BOSH) as a service broker.
// Its steps come with the CaaS issue; until then the engine refuses it with a clear message (exit 2).
import { msg } from '../../common/messages.js';
import { countRole, planIssue, type ModeProfile } from '../profile.js';
import type { PlanIssue } from '../../plan/issues.js';

export const caasProfile: ModeProfile = {
  name: 'caas',
  cluster: 'kubespray',
  notYet: { card: msg('mode.caas.unavailable'), apply: msg('mode.caas.apply') },
  kubeedge: false,
  roles: ['control-plane', 'worker', 'etcd', 'deployer', 'nfs', 'lb'],
  rules(plan) {
    const out: PlanIssue[] = [];
    if (countRole(plan, 'control-plane') === 0) out.push(planIssue('error', 'hosts', 'plan.roles.noControlPlane', { mode: plan.mode }));
    if (countRole(plan, 'worker') === 0) out.push(planIssue('error', 'hosts', 'plan.roles.noWorker', { mode: plan.mode }));
    if (!plan.bosh) out.push(planIssue('error', 'bosh', 'plan.caas.bosh'));
    if (!plan.paasta) out.push(planIssue('error', 'paasta', 'plan.caas.paasta'));
    out.push(planIssue('warning', 'mode', 'mode.caas.notInstallable'));
    return out;
  },
  preflight: { newClusterNodes: true, ansible: true, kubeadm: false },
  wizard: {
    title: msg('mode.caas.card'),
    description: msg('mode.caas.desc'),
    icon: '☁',
    sections: ['podNetwork', 'clusterLayout', 'loadBalancer', 'storage', 'portal', 'registry', 'bundle'],
  },
  outputs: [],
  messages: {
    en: {
      'mode.caas.card': 'CaaS on PaaS-TA',
      'mode.caas.desc': 'The container platform as a service of an existing PaaS-TA (BOSH) installation.',
      'mode.caas.unavailable': 'Not available yet. Until it is, install a standalone cluster here, or follow the platform\'s CaaS deployment guide.',
      'mode.caas.notInstallable':
        'This installer cannot install the caas mode yet: `apply` refuses it. Use a standalone plan, or the platform\'s CaaS deployment guide.',
      'mode.caas.apply': 'The caas mode (CaaS on PaaS-TA) cannot be installed by this version yet; nothing was changed. Install a standalone cluster, or follow the platform\'s CaaS deployment guide.',
    },
    ko: {
      'mode.caas.card': 'PaaS-TA 기반 CaaS',
      'mode.caas.desc': '기존 PaaS-TA(BOSH) 환경의 서비스형 컨테이너 플랫폼.',
      'mode.caas.unavailable': '아직 지원하지 않습니다. 그때까지는 여기서 단독형 클러스터를 설치하거나, 플랫폼의 CaaS 배포 가이드를 따르세요.',
      'mode.caas.notInstallable':
        '이 설치 도구는 아직 caas 모드를 설치할 수 없습니다: `apply`가 거부합니다. 단독형 플랜을 쓰거나 플랫폼의 CaaS 배포 가이드를 따르세요.',
      'mode.caas.apply': '이 버전은 아직 caas 모드(PaaS-TA 기반 CaaS)를 설치할 수 없어 아무것도 바꾸지 않았습니다. 단독형 클러스터를 설치하거나 플랫폼의 CaaS 배포 가이드를 따르세요.',
    },
  },
};
