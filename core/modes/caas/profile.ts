// CaaS on PaaS-TA: a Kubespray cluster offered as a service of an existing PaaS-TA — the BOSH middleware
// (HAProxy, MariaDB, private image repository) deployed from the 2021 tree, the container service on the
// cluster, its broker registered with CF and its UAA client. BOSH, cf and uaac run on the `jumpbox` host.
// The wizard collects the BOSH and PaaS-TA settings (Settings' director and PaaS-TA sections) and checks
// both from the jump box before Review (core/modes/caas/checks.ts, core/preflight/checks/caas.ts).
import { msg } from '../../common/messages.js';
import { countRole, planIssue, type ModeProfile } from '../profile.js';
import type { PlanIssue } from '../../plan/issues.js';
import { CAAS_CHECK_MESSAGES } from './check-messages.js';

export const caasProfile: ModeProfile = {
  name: 'caas',
  cluster: 'kubespray',
  bosh: true,
  kubeedge: false,
  roles: ['control-plane', 'worker', 'etcd', 'deployer', 'nfs', 'lb', 'jumpbox'],
  rules(plan) {
    const out: PlanIssue[] = [];
    if (countRole(plan, 'control-plane') === 0) out.push(planIssue('error', 'hosts', 'plan.roles.noControlPlane', { mode: plan.mode }));
    if (countRole(plan, 'worker') === 0) out.push(planIssue('error', 'hosts', 'plan.roles.noWorker', { mode: plan.mode }));
    if (!plan.bosh) out.push(planIssue('error', 'bosh', 'plan.caas.bosh'));
    if (!plan.paasta) out.push(planIssue('error', 'paasta', 'plan.caas.paasta'));
    const jump = countRole(plan, 'jumpbox');
    if (jump === 0) out.push(planIssue('error', 'hosts', 'mode.caas.noJumpbox'));
    if (jump > 1) out.push(planIssue('error', 'hosts', 'mode.caas.manyJumpboxes', { count: jump }));
    plan.hosts.forEach((h, i) => {
      if (h.roles.includes('jumpbox') && h.roles.some((r) => r !== 'jumpbox'))
        out.push(planIssue('warning', `hosts[${i}].roles`, 'mode.caas.jumpboxShared', { host: h.name }));
    });
    if (plan.bosh && !plan.bosh.haproxyAddress) out.push(planIssue('error', 'bosh.haproxyAddress', 'mode.caas.haproxyAddress'));
    // The container service (images, YAML, scripts) comes only from the bundle; the tree may be on the jump box.
    if (plan.bosh && !plan.bundle) out.push(planIssue('error', 'bundle.path', 'mode.caas.bundle'));
    if (plan.paasta?.workerAddress && !plan.hosts.some((h) => (h.address === plan.paasta!.workerAddress || h.privateAddress === plan.paasta!.workerAddress) && h.roles.includes('worker')))
      out.push(planIssue('warning', 'paasta.workerAddress', 'mode.caas.workerNotInPlan', { address: plan.paasta.workerAddress }));
    return out;
  },
  preflight: { newClusterNodes: true, ansible: true, kubeadm: false },
  wizard: {
    title: msg('mode.caas.card'),
    description: msg('mode.caas.desc'),
    icon: '☁',
    sections: ['podNetwork', 'clusterLayout', 'loadBalancer', 'storage', 'portal', 'registry', 'bundle', 'bosh', 'paasta'],
  },
  outputs: ['kubeconfig', 'endpoints', 'report'],
  messages: {
    en: {
      'mode.caas.card': 'CaaS on PaaS-TA',
      'mode.caas.desc': 'The container platform as a service of an existing PaaS-TA (BOSH) installation.',
      ...CAAS_CHECK_MESSAGES.en,
      'mode.caas.noJumpbox':
        'CaaS runs bosh, cf and uaac on a jump box: give one host the role jumpbox (the BOSH inception VM where those CLIs are installed).',
      'mode.caas.manyJumpboxes': '{{count}} hosts have the role jumpbox; keep it on exactly one (the BOSH inception VM).',
      'mode.caas.jumpboxShared': '{{host}} is the jump box and a cluster node as well; the guide keeps the BOSH inception VM apart.',
      'mode.caas.haproxyAddress':
        'Set bosh.haproxyAddress: the static public IP HAProxy gets on the public network (haproxy_public_url); every node trusts <it>:5001.',
      'mode.caas.bundle':
        'CaaS needs the offline bundle (bundle.path) with the container-service folder (container-service-image-1.1.tar unpacked); the v1.0.4 tree\'s bosh/ comes from it too, unless bosh.treePath names the tree on the jump box.',
      'mode.caas.workerNotInPlan': '{{address}} (paasta.workerAddress) is not a worker of this plan; the broker and dashboard NodePorts must be on a worker.',
      'mode.caas.plan-incomplete': 'The caas plan needs a jump box, a control plane and the bosh and paasta sections. Run `cp-installer validate` and correct what it names.',
      'mode.caas.bosh-incomplete': 'A plan with BOSH middleware needs a jump box (one host with the role jumpbox), a control plane and the bosh section. Run `cp-installer validate` and correct what it names.',
      'mode.caas.secret-missing': 'The secret {{kind}} was not given. Set {{env}} or enter it when asked, then resume.',
      'mode.caas.tools-missing': '{{host}} lacks {{tools}}. Install the BOSH CLI, the cf CLI and uaac on the jump box (the PaaS-TA inception VM has them) and resume.',
      'mode.caas.director':
        '{{host}} cannot log in to the BOSH director {{director}}: {{detail}}. Check bosh.directorAddress, bosh.caCertFile, bosh.client and its secret, and that port 25555 is open from the jump box.',
      'mode.caas.stemcell':
        'The director has no stemcell {{os}}/{{version}} and the bundle has none in stemcells/. Upload it on {{host}} (`bosh upload-stemcell …`) or add it to the bundle, then resume.',
      'mode.caas.cloud-config': 'The director\'s cloud-config lacks what the plan names: {{gaps}}. Correct the plan or the cloud-config, then resume.',
      'mode.caas.no-tree': 'The bundle has no paas-ta-container-platform-deployment/bosh (the v1.0.4 tree). Add it to the bundle or set bosh.treePath.',
      'mode.caas.no-release': 'use-offline-releases.yml needs {{file}}; put it in the bundle\'s release/ folder, or set bosh.offlineReleases to false.',
      'mode.caas.unresolved': 'The deploy would leave variables without a value: {{vars}}. Give them in the plan (or set the missing vars-file key) and resume.',
      'mode.caas.deploy-failed': 'BOSH task {{task}} failed — {{detail}}. See `bosh task {{task}} --debug` on the jump box; resume runs the deploy again.',
      'mode.caas.vms': 'The middleware deployment is not ready: {{detail}}. Check `bosh -d paasta-container-platform vms` on the jump box and resume.',
      'mode.caas.no-container-service': 'The bundle has no container-service folder (container-service-image-1.1.tar unpacked, with service-script/). Add it and resume.',
      'mode.caas.endpoints-down': '{{endpoints}} do not answer from {{host}}. Check the container-service pods (`kubectl get all`) and that the jump box reaches the worker; resume checks again.',
      'mode.caas.step.jumpbox': 'Check the jump box and the BOSH director',
      'mode.caas.step.tree': 'Place the BOSH deployment files',
      'mode.caas.step.middleware': 'Deploy HAProxy, MariaDB and the image repository with BOSH',
      'mode.caas.step.vms': 'Read the middleware addresses',
      'mode.caas.step.trust': 'Trust the private image repository',
      'mode.caas.step.reach': 'Check the nodes reach the registry and MariaDB',
      'mode.caas.step.token': 'Make the cluster-admin ServiceAccount token (k8s_auth_bearer)',
      'mode.caas.token':
        '{{host}}: the token controller did not fill {{secret}} within {{seconds}} s. Check `kubectl -n kube-system get secret k8sadmin-token` and the controller manager, then resume; or set CP_K8S_AUTH_BEARER to a cluster-admin token.',
      'mode.caas.node-reach': '{{host}} cannot reach {{endpoints}}. Open these ports from the cluster nodes to the BOSH VMs (security group / firewall) and resume.',
      'mode.caas.step.images': 'Upload the container-service images',
      'mode.caas.step.container-service': 'Deploy the container service',
      'mode.caas.step.endpoints': 'Verify the container-service endpoints',
      'mode.caas.step.broker': 'Register the service broker with PaaS-TA',
      'mode.caas.step.uaa': 'Add the caasclient UAA client',
    },
    ko: {
      'mode.caas.card': 'PaaS-TA 기반 CaaS',
      'mode.caas.desc': '기존 PaaS-TA(BOSH) 환경의 서비스형 컨테이너 플랫폼.',
      ...CAAS_CHECK_MESSAGES.ko,
      'mode.caas.noJumpbox': 'CaaS는 bosh, cf, uaac를 점프 박스에서 실행합니다. 한 호스트(이 CLI들이 설치된 BOSH 인셉션 VM)에 jumpbox 역할을 주세요.',
      'mode.caas.manyJumpboxes': 'jumpbox 역할인 호스트가 {{count}}개입니다. 하나(BOSH 인셉션 VM)에만 두세요.',
      'mode.caas.jumpboxShared': '{{host}}은(는) 점프 박스이면서 클러스터 노드입니다. 가이드는 BOSH 인셉션 VM을 따로 둡니다.',
      'mode.caas.haproxyAddress':
        'bosh.haproxyAddress를 설정하세요. HAProxy가 공용 네트워크에서 받는 고정 공인 IP(haproxy_public_url)이며, 모든 노드가 <이 주소>:5001을 신뢰합니다.',
      'mode.caas.bundle':
        'CaaS에는 container-service 폴더(container-service-image-1.1.tar 압축 해제)가 든 오프라인 번들(bundle.path)이 필요합니다. v1.0.4 트리의 bosh/도 번들에서 가져오며, bosh.treePath로 점프 박스의 트리를 지정하면 그것을 씁니다.',
      'mode.caas.workerNotInPlan': '{{address}}(paasta.workerAddress)는 이 플랜의 워커가 아닙니다. 브로커와 대시보드 NodePort는 워커에 있어야 합니다.',
      'mode.caas.plan-incomplete': 'caas 플랜에는 점프 박스, 컨트롤 플레인, bosh와 paasta 항목이 필요합니다. `cp-installer validate`를 실행해 지적된 곳을 고치세요.',
      'mode.caas.bosh-incomplete': 'BOSH 미들웨어를 쓰는 플랜에는 점프 박스(jumpbox 역할 호스트 하나), 컨트롤 플레인, bosh 항목이 필요합니다. `cp-installer validate`를 실행해 지적된 곳을 고치세요.',
      'mode.caas.secret-missing': '비밀 값 {{kind}}이(가) 주어지지 않았습니다. {{env}}를 설정하거나 물을 때 입력한 뒤 재개하세요.',
      'mode.caas.tools-missing': '{{host}}에 {{tools}}이(가) 없습니다. 점프 박스에 BOSH CLI, cf CLI, uaac를 설치(PaaS-TA 인셉션 VM에는 있음)한 뒤 재개하세요.',
      'mode.caas.director':
        '{{host}}에서 BOSH 디렉터 {{director}}에 로그인할 수 없습니다: {{detail}}. bosh.directorAddress, bosh.caCertFile, bosh.client와 시크릿, 점프 박스에서 25555 포트가 열려 있는지 확인하세요.',
      'mode.caas.stemcell':
        '디렉터에 스템셀 {{os}}/{{version}}이(가) 없고 번들의 stemcells/에도 없습니다. {{host}}에서 업로드(`bosh upload-stemcell …`)하거나 번들에 넣은 뒤 재개하세요.',
      'mode.caas.cloud-config': '디렉터의 cloud-config에 플랜이 지정한 항목이 없습니다: {{gaps}}. 플랜이나 cloud-config를 고친 뒤 재개하세요.',
      'mode.caas.no-tree': '번들에 paas-ta-container-platform-deployment/bosh(v1.0.4 트리)가 없습니다. 번들에 넣거나 bosh.treePath를 설정하세요.',
      'mode.caas.no-release': 'use-offline-releases.yml에는 {{file}}이(가) 필요합니다. 번들의 release/ 폴더에 넣거나 bosh.offlineReleases를 false로 하세요.',
      'mode.caas.unresolved': '배포하면 값이 없는 변수가 남습니다: {{vars}}. 플랜에서 값을 주거나(또는 vars 파일 키를 채우고) 재개하세요.',
      'mode.caas.deploy-failed': 'BOSH 태스크 {{task}} 실패 — {{detail}}. 점프 박스에서 `bosh task {{task}} --debug`를 확인하세요. 재개하면 배포를 다시 실행합니다.',
      'mode.caas.vms': '미들웨어 배포가 준비되지 않았습니다: {{detail}}. 점프 박스에서 `bosh -d paasta-container-platform vms`를 확인하고 재개하세요.',
      'mode.caas.no-container-service': '번들에 container-service 폴더(service-script/가 있는 container-service-image-1.1.tar 압축 해제본)가 없습니다. 넣은 뒤 재개하세요.',
      'mode.caas.endpoints-down': '{{host}}에서 {{endpoints}}이(가) 응답하지 않습니다. container-service 파드(`kubectl get all`)와 점프 박스에서 워커로의 연결을 확인하세요. 재개하면 다시 확인합니다.',
      'mode.caas.step.jumpbox': '점프 박스와 BOSH 디렉터 확인',
      'mode.caas.step.tree': 'BOSH 배포 파일 배치',
      'mode.caas.step.middleware': 'BOSH로 HAProxy, MariaDB, 이미지 저장소 배포',
      'mode.caas.step.vms': '미들웨어 주소 읽기',
      'mode.caas.step.trust': '프라이빗 이미지 저장소 신뢰 설정',
      'mode.caas.step.reach': '노드에서 이미지 저장소와 MariaDB 연결 확인',
      'mode.caas.step.token': 'cluster-admin 서비스 계정 토큰 생성(k8s_auth_bearer)',
      'mode.caas.token':
        '{{host}}: 토큰 컨트롤러가 {{seconds}}초 안에 {{secret}}을(를) 채우지 않았습니다. `kubectl -n kube-system get secret k8sadmin-token`과 컨트롤러 매니저를 확인한 뒤 재개하거나, CP_K8S_AUTH_BEARER에 cluster-admin 토큰을 설정하세요.',
      'mode.caas.node-reach': '{{host}}에서 {{endpoints}}에 연결할 수 없습니다. 클러스터 노드에서 BOSH VM으로 이 포트를 열고(보안 그룹/방화벽) 재개하세요.',
      'mode.caas.step.images': '컨테이너 서비스 이미지 업로드',
      'mode.caas.step.container-service': '컨테이너 서비스 배포',
      'mode.caas.step.endpoints': '컨테이너 서비스 엔드포인트 확인',
      'mode.caas.step.broker': 'PaaS-TA에 서비스 브로커 등록',
      'mode.caas.step.uaa': 'UAA 클라이언트 caasclient 추가',
    },
  },
};
