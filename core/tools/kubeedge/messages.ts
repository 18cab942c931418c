// Messages of the kubeadm / KubeEdge adapters and the edge modes, in English and Korean.
import type { Catalogs } from '../../common/messages.js';

export const edgeMessages: Catalogs = {
  en: {
    'mode.edge': 'Edge cluster (kubeadm + KubeEdge)',
    'mode.expand-edge': 'Add edge nodes to an existing cluster (KubeEdge)',

    'edge.step.tools': 'Check kubeadm, keadm and kubectl on the hosts',
    'edge.step.kubeadm-config': 'Write the kubeadm configuration',
    'edge.step.kubeadm-init': 'Initialise the control plane (kubeadm init)',
    'edge.step.cni': 'Install the pod network (Calico)',
    'edge.step.kubeconfig': 'Make the cluster\'s kubeconfig available on {{host}}',
    'edge.step.affinity': 'Keep cloud DaemonSets off edge nodes (node affinity)',
    'edge.step.cloudcore-pool': 'Reserve cloudcore\'s load-balancer address (MetalLB pool)',
    'edge.step.keadm-init': 'Install cloudcore (keadm init)',
    'edge.step.cloudcore-service': 'Expose cloudcore through the load balancer',
    'edge.step.gettoken': 'Get the edge join token (keadm gettoken)',
    'edge.step.join': 'Join the edge node (keadm join)',
    'edge.step.verify': 'Verify the edge nodes are Ready with roles agent,edge',

    'kubeadm.config.unsupported-version':
      'Kubernetes {{version}} has no kubeadm configuration API this installer writes (v1beta3 needs 1.22–1.34, v1beta4 1.31 or newer). Choose a release with Kubernetes 1.22 or newer.',
    'edge.no-kubeedge': 'Release {{release}} has no KubeEdge version. Choose a release with KubeEdge for the edge modes.',
    'edge.incompatible':
      'KubeEdge {{kubeedge}} is not compatible with Kubernetes {{kubernetes}} (KubeEdge\'s matrix: {{range}}). Choose a release whose pair the matrix covers.',
    'edge.control-plane-count': 'Edge mode needs exactly one control-plane host; the plan has {{count}}.',
    'edge.no-control-plane': 'The plan has no control-plane host to run kubectl and keadm init on.',
    'edge.no-edge-hosts': 'The plan has no host with the edge role.',
    'edge.tool-missing': '{{tool}} is not installed on {{host}}. Put it in /usr/local/bin (the offline bundle carries it) and run again.',
    'edge.kubeadm-failed': 'kubeadm init failed in phase {{phase}} on {{host}}: {{message}}',
    'edge.bundle-file-missing': 'The offline bundle has no {{path}}. Rebuild the bundle for this release.',
    'edge.kubeconfig-missing': 'The kubeconfig {{path}} does not exist on the installer machine.',
    'edge.cluster-unreachable': 'kubectl on {{host}} cannot reach the cluster: {{message}}',
    'edge.keadm-init-failed': 'keadm init failed on {{host}}: {{message}}',
    'edge.cloudcore-pending': 'cloudcore was installed but its pod is not running ({{detail}}). Check the node it is pinned to and its taints.',
    'edge.cloudcore-elsewhere':
      'cloudcore runs on {{node}} ({{address}}), but edge nodes are told to reach {{advertised}}. cloudcore uses the host network: advertise that node\'s address or put a load balancer in front.',
    'edge.token-missing': 'keadm gettoken on {{host}} printed no token. Is cloudcore installed (namespace kubeedge, secret tokensecret)?',
    'edge.join-failed':
      'Edge host {{host}} did not join: {{message}}. The other edge hosts are not affected; fix the cause and resume the run to retry only this host.',
    'edge.nodes-not-ready': 'Edge nodes not Ready with roles agent,edge after {{seconds}} s: {{nodes}}.',
    'edge.affinity-failed': 'Could not patch {{kind}}/{{name}} in {{namespace}}: {{message}}',
  },
  ko: {
    'mode.edge': '엣지 클러스터 (kubeadm + KubeEdge)',
    'mode.expand-edge': '기존 클러스터에 엣지 노드 추가 (KubeEdge)',

    'edge.step.tools': '호스트의 kubeadm, keadm, kubectl 확인',
    'edge.step.kubeadm-config': 'kubeadm 설정 파일 작성',
    'edge.step.kubeadm-init': '컨트롤 플레인 초기화 (kubeadm init)',
    'edge.step.cni': '파드 네트워크 설치 (Calico)',
    'edge.step.kubeconfig': '{{host}}에서 클러스터 kubeconfig 사용 준비',
    'edge.step.affinity': '클라우드 DaemonSet이 엣지 노드에 배치되지 않도록 설정 (노드 어피니티)',
    'edge.step.cloudcore-pool': 'cloudcore 로드밸런서 주소 예약 (MetalLB 풀)',
    'edge.step.keadm-init': 'cloudcore 설치 (keadm init)',
    'edge.step.cloudcore-service': '로드밸런서로 cloudcore 노출',
    'edge.step.gettoken': '엣지 조인 토큰 가져오기 (keadm gettoken)',
    'edge.step.join': '엣지 노드 조인 (keadm join)',
    'edge.step.verify': '엣지 노드가 agent,edge 역할로 Ready 상태인지 확인',

    'kubeadm.config.unsupported-version':
      'Kubernetes {{version}}에는 이 설치 프로그램이 작성하는 kubeadm 설정 API가 없습니다 (v1beta3는 1.22–1.34, v1beta4는 1.31 이상). Kubernetes 1.22 이상인 릴리스를 선택하십시오.',
    'edge.no-kubeedge': '릴리스 {{release}}에는 KubeEdge 버전이 없습니다. 엣지 모드에는 KubeEdge가 포함된 릴리스를 선택하십시오.',
    'edge.incompatible':
      'KubeEdge {{kubeedge}}은(는) Kubernetes {{kubernetes}}과(와) 호환되지 않습니다 (KubeEdge 호환표: {{range}}). 호환표가 지원하는 조합의 릴리스를 선택하십시오.',
    'edge.control-plane-count': '엣지 모드에는 컨트롤 플레인 호스트가 정확히 하나 필요합니다. 현재 플랜에는 {{count}}개가 있습니다.',
    'edge.no-control-plane': 'kubectl과 keadm init을 실행할 컨트롤 플레인 호스트가 플랜에 없습니다.',
    'edge.no-edge-hosts': '플랜에 edge 역할을 가진 호스트가 없습니다.',
    'edge.tool-missing': '{{host}}에 {{tool}}이(가) 설치되어 있지 않습니다. /usr/local/bin에 넣은 뒤(오프라인 번들에 포함) 다시 실행하십시오.',
    'edge.kubeadm-failed': '{{host}}에서 kubeadm init이 {{phase}} 단계에서 실패했습니다: {{message}}',
    'edge.bundle-file-missing': '오프라인 번들에 {{path}}이(가) 없습니다. 이 릴리스에 맞게 번들을 다시 만드십시오.',
    'edge.kubeconfig-missing': '설치 프로그램이 실행되는 컴퓨터에 kubeconfig {{path}}이(가) 없습니다.',
    'edge.cluster-unreachable': '{{host}}의 kubectl이 클러스터에 접속하지 못했습니다: {{message}}',
    'edge.keadm-init-failed': '{{host}}에서 keadm init이 실패했습니다: {{message}}',
    'edge.cloudcore-pending': 'cloudcore는 설치되었지만 파드가 실행 중이 아닙니다 ({{detail}}). 고정한 노드와 그 테인트를 확인하십시오.',
    'edge.cloudcore-elsewhere':
      'cloudcore는 {{node}}({{address}})에서 실행 중이지만 엣지 노드에는 {{advertised}} 주소가 안내됩니다. cloudcore는 호스트 네트워크를 사용하므로 그 노드의 주소를 광고하거나 앞에 로드밸런서를 두십시오.',
    'edge.token-missing': '{{host}}에서 keadm gettoken이 토큰을 출력하지 않았습니다. cloudcore가 설치되어 있는지(네임스페이스 kubeedge, 시크릿 tokensecret) 확인하십시오.',
    'edge.join-failed':
      '엣지 호스트 {{host}}이(가) 조인하지 못했습니다: {{message}}. 다른 엣지 호스트에는 영향이 없습니다. 원인을 해결한 뒤 실행을 재개하면 이 호스트만 다시 시도합니다.',
    'edge.nodes-not-ready': '{{seconds}}초가 지나도 agent,edge 역할로 Ready가 되지 않은 엣지 노드: {{nodes}}.',
    'edge.affinity-failed': '{{namespace}}의 {{kind}}/{{name}}을(를) 패치하지 못했습니다: {{message}}',
  },
};
