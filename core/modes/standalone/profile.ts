// Standalone: one Kubernetes cluster made by Kubespray from the deployer, with storage, ingress and portal.
// With the `bosh` section (the 2021 release), the BOSH middleware from a jump box and the 2021 container
// platform instead of the portal (bosh-middleware.ts).
import { msg } from '../../common/messages.js';
import { countRole, planIssue, type ModeProfile } from '../profile.js';

export const standaloneProfile: ModeProfile = {
  name: 'standalone',
  cluster: 'kubespray',
  kubeedge: false,
  roles: ['control-plane', 'worker', 'etcd', 'deployer', 'nfs', 'lb', 'jumpbox'],
  rules(plan) {
    const out = [];
    if (countRole(plan, 'control-plane') === 0) out.push(planIssue('error', 'hosts', 'plan.roles.noControlPlane', { mode: plan.mode }));
    if (countRole(plan, 'worker') === 0) out.push(planIssue('error', 'hosts', 'plan.roles.noWorker', { mode: plan.mode }));
    const jump = countRole(plan, 'jumpbox');
    if (plan.bosh) {
      // The spray guide's BOSH inception VM runs the bosh CLI; the container platform comes from the bundle.
      if (jump !== 1) out.push(planIssue('error', 'hosts', 'mode.standalone.bosh.jumpbox', { count: jump }));
      if (!plan.bosh.haproxyAddress) out.push(planIssue('error', 'bosh.haproxyAddress', 'mode.standalone.bosh.haproxyAddress'));
      if (!plan.bundle) out.push(planIssue('error', 'bundle.path', 'mode.standalone.bosh.bundle'));
    } else if (jump > 0) out.push(planIssue('warning', 'hosts', 'mode.standalone.bosh.jumpboxUnused'));
    return out;
  },
  preflight: { newClusterNodes: true, ansible: true, kubeadm: false },
  wizard: {
    title: msg('mode.standalone.card'),
    description: msg('mode.standalone.desc'),
    icon: '▦',
    // bosh: shown only for a release whose middleware is BOSH's (the renderer's release list says which).
    sections: ['podNetwork', 'clusterLayout', 'loadBalancer', 'storage', 'portal', 'registry', 'bundle', 'bosh'],
  },
  outputs: ['kubeconfig', 'endpoints', 'report'],
  messages: {
    en: {
      'mode.standalone.card': 'Standalone cluster',
      'mode.standalone.desc': 'A Kubernetes cluster with the K-PaaS portal, installed with Kubespray.',
      'mode.standalone.bosh.jumpbox':
        'With the bosh section (the 2021 release\'s BOSH middleware), exactly one host must have the role jumpbox (the BOSH inception VM with the bosh CLI); now {{count}}.',
      'mode.standalone.bosh.jumpboxUnused': 'A host has the role jumpbox but the plan has no bosh section: nothing runs on it. Add the bosh section or remove the role.',
      'mode.standalone.bosh.haproxyAddress': 'Set bosh.haproxyAddress: the static public IP HAProxy gets (haproxy_public_url); every node trusts <it>:5001.',
      'mode.standalone.bosh.bundle':
        'The 2021 standalone needs the offline bundle (bundle.path) with the container-platform folder (container-platform-standalone-image.tar unpacked); the v1.0.4 tree\'s bosh/ comes from it too, unless bosh.treePath names it on the jump box.',
      'mode.standalone.bosh.release': 'The plan has a bosh section but the release {{release}} has no BOSH middleware. Use release paasta-v1.0 or remove the bosh section.',
      'mode.standalone.bosh.toolsMissing': '{{host}} lacks {{tools}}. Install the BOSH CLI on the jump box (the BOSH inception VM has it) and resume.',
      'mode.standalone.bosh.noWorker': 'The portals are reached on a worker\'s NodePorts: give one host the role worker.',
      'mode.standalone.bosh.noArchive':
        'The bundle has no container-platform folder (container-platform-standalone-image.tar unpacked, with container-platform-script/). Add it and resume.',
      'mode.standalone.bosh.endpointsDown':
        '{{endpoints}} do not answer from {{host}}. Check the pods (`kubectl get all`) and that NodePorts 30000-32767 are open on the worker; resume checks again.',
      'mode.standalone.bosh.step.images': 'Upload the container platform images to the private repository',
      'mode.standalone.bosh.step.deploy': 'Deploy the container platform (container-platform-deploy.sh)',
      'mode.standalone.bosh.step.endpoints': 'Verify the operator and user portals',
    },
    ko: {
      'mode.standalone.card': '단독형 클러스터',
      'mode.standalone.desc': 'Kubespray로 설치하는 Kubernetes 클러스터와 K-PaaS 포털.',
      'mode.standalone.bosh.jumpbox':
        'bosh 항목(2021 릴리스의 BOSH 미들웨어)이 있으면 jumpbox 역할(bosh CLI가 있는 BOSH 인셉션 VM)인 호스트가 정확히 하나여야 합니다. 지금은 {{count}}개입니다.',
      'mode.standalone.bosh.jumpboxUnused': 'jumpbox 역할인 호스트가 있지만 플랜에 bosh 항목이 없어 그 호스트에서는 아무것도 실행되지 않습니다. bosh 항목을 추가하거나 역할을 빼세요.',
      'mode.standalone.bosh.haproxyAddress': 'bosh.haproxyAddress를 설정하세요. HAProxy가 받는 고정 공인 IP(haproxy_public_url)이며, 모든 노드가 <이 주소>:5001을 신뢰합니다.',
      'mode.standalone.bosh.bundle':
        '2021 단독형에는 container-platform 폴더(container-platform-standalone-image.tar 압축 해제)가 든 오프라인 번들(bundle.path)이 필요합니다. v1.0.4 트리의 bosh/도 번들에서 가져오며, bosh.treePath로 점프 박스의 트리를 지정하면 그것을 씁니다.',
      'mode.standalone.bosh.release': '플랜에 bosh 항목이 있지만 릴리스 {{release}}에는 BOSH 미들웨어가 없습니다. 릴리스를 paasta-v1.0으로 하거나 bosh 항목을 빼세요.',
      'mode.standalone.bosh.toolsMissing': '{{host}}에 {{tools}}이(가) 없습니다. 점프 박스에 BOSH CLI를 설치(BOSH 인셉션 VM에는 있음)한 뒤 재개하세요.',
      'mode.standalone.bosh.noWorker': '포털은 워커의 NodePort로 접속합니다. 한 호스트에 worker 역할을 주세요.',
      'mode.standalone.bosh.noArchive':
        '번들에 container-platform 폴더(container-platform-script/가 있는 container-platform-standalone-image.tar 압축 해제본)가 없습니다. 넣은 뒤 재개하세요.',
      'mode.standalone.bosh.endpointsDown':
        '{{host}}에서 {{endpoints}}이(가) 응답하지 않습니다. 파드(`kubectl get all`)와 워커의 NodePort 30000-32767이 열려 있는지 확인하세요. 재개하면 다시 확인합니다.',
      'mode.standalone.bosh.step.images': '컨테이너 플랫폼 이미지를 프라이빗 저장소에 업로드',
      'mode.standalone.bosh.step.deploy': '컨테이너 플랫폼 배포(container-platform-deploy.sh)',
      'mode.standalone.bosh.step.endpoints': '운영자 포털과 사용자 포털 확인',
    },
  },
};
