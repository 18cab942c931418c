// The 2021 edge with BOSH middleware (the platform's v1.4.x edge guides): `mode: edge` with the `bosh` section.
// Not the kubeadm edge: the cloud is a Kubespray cluster of the release (master, cloud workers), KubeEdge joins
// the edge hosts to it, and the middleware comes from a jump box. profiles.ts picks this profile for an edge
// plan with `bosh` (profileOf(mode, plan)); plain data like every profile.
import { msg } from '../../common/messages.js';
import type { PlanIssue } from '../../plan/issues.js';
import { countRole, planIssue, type ModeProfile } from '../profile.js';

export const edgeBoshProfile: ModeProfile = {
  name: 'edge',
  cluster: 'kubespray',
  kubeedge: true,
  roles: ['control-plane', 'worker', 'etcd', 'deployer', 'nfs', 'lb', 'edge', 'jumpbox'],
  rules(plan) {
    const out: PlanIssue[] = [];
    // The guide's layout: one master (cloudcore runs there), one cloud worker or more, edge nodes, the inception VM.
    const cps = countRole(plan, 'control-plane');
    if (cps !== 1) out.push(planIssue('error', 'hosts', 'mode.edgeBosh.controlPlane', { count: cps }));
    if (countRole(plan, 'worker') === 0) out.push(planIssue('error', 'hosts', 'mode.edgeBosh.noWorker'));
    if (countRole(plan, 'edge') === 0) out.push(planIssue('error', 'hosts', 'plan.edge.noEdgeHost', { mode: plan.mode }));
    const jump = countRole(plan, 'jumpbox');
    if (jump !== 1) out.push(planIssue('error', 'hosts', 'mode.standalone.bosh.jumpbox', { count: jump }));
    if (!plan.bosh?.haproxyAddress) out.push(planIssue('error', 'bosh.haproxyAddress', 'mode.standalone.bosh.haproxyAddress'));
    if (!plan.bundle) out.push(planIssue('error', 'bundle.path', 'mode.standalone.bosh.bundle'));
    // edgecore's clusterDNS is the service network's .3, as Kubespray 2.14 places CoreDNS: an IPv4 network.
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(plan.cluster.serviceCidr.trim()))
      out.push(planIssue('error', 'cluster.serviceCidr', 'mode.edgeBosh.ipv4Services', { value: plan.cluster.serviceCidr }));
    return out;
  },
  // Kubespray from the deployer builds the cloud; keadm, not kubeadm, is what the control plane needs.
  preflight: { newClusterNodes: true, ansible: true, kubeadm: false },
  wizard: {
    title: msg('mode.edge.card'),
    description: msg('mode.edge.desc'),
    icon: '⌬',
    sections: ['podNetwork', 'clusterLayout', 'storage', 'registry', 'bundle', 'edge', 'bosh'],
  },
  outputs: ['kubeconfig', 'endpoints', 'report'],
  messages: {
    en: {
      'mode.edgeBosh.controlPlane': 'The 2021 edge with BOSH middleware has one master (cloudcore runs on it): give exactly one host the role control-plane; now {{count}}.',
      'mode.edgeBosh.noWorker':
        'The 2021 edge deploys the container platform on a cloud worker (K8S_WORKER_NODE_IP, never an edge node): give one host the role worker.',
      'mode.edgeBosh.ipv4Services':
        'The 2021 edge needs an IPv4 service network (edge nodes resolve names through its .3 address, as Kubespray 2.14 places CoreDNS); {{value}} is not one. Use e.g. 10.233.0.0/18.',
      'mode.edgeBosh.release': 'The plan has a bosh section but the release {{release}} has no BOSH middleware. Use release paasta-v1.0 or remove the bosh section.',
      'mode.edgeBosh.toolsMissing': '{{host}} lacks {{tools}}. Install the BOSH CLI on the jump box (the BOSH inception VM has it) and resume.',
      'mode.edgeBosh.step.edgeTrust': 'Trust the private image repository on the edge nodes',
      'mode.edgeBosh.step.flannel': 'Run flannel on the edge nodes (kube-flannel-edge)',
      'mode.edgeBosh.cloudcoreDown':
        'keadm init finished on {{host}} but cloudcore does not answer on {{endpoints}} within a minute. See /var/log/kubeedge/cloudcore.log on {{host}} (the guide starts it with nohup /usr/local/bin/cloudcore) and resume.',
      'mode.edgeBosh.noFlannel':
        '{{host}}: the cluster has no kube-flannel DaemonSet in kube-system. The 2021 edge guide (2.2) builds the cloud with kube_network_plugin: flannel; run Kubespray with it and resume.',
      'mode.edgeBosh.edgeReach':
        '{{host}} (edge) cannot reach the private image repository {{endpoint}}. Open the port from the edge network to HAProxy (haproxy_public_url) and resume.',
      'mode.edgeBosh.step.cloudcoreConfig': 'Configure cloudcore for flannel and kubectl logs (dynamicController, cloudStream)',
      'mode.edgeBosh.step.edgecoreConfig': 'Configure edgecore on the edge nodes (CNI, metaServer, edgeStream)',
      'mode.edgeBosh.noCloudcoreYaml': '{{host}} has no {{path}}: keadm init did not finish there. Run keadm reset on {{host}}, then resume (keadm init runs again).',
      'mode.edgeBosh.noClusterCa':
        '{{host}} has no cluster CA at {{ca}} and {{key}}, which signs the stream certificate for kubectl logs (guide 2.7). Run the installer on the Kubespray cluster it built (its certificates are in /etc/kubernetes/ssl) and resume.',
      'mode.edgeBosh.streamCertFailed': 'The stream certificate for kubectl logs could not be made on {{host}} with openssl. See the step log, check that openssl is installed on {{host}}, and resume.',
      'mode.edgeBosh.cloudcoreRestartDown':
        'cloudcore on {{host}} does not answer on {{endpoints}} after its restart with dynamicController and cloudStream. See {{log}} on {{host}} (a missing stream certificate stops it) and resume.',
      'mode.edgeBosh.cniArch': '{{host}} is a {{machine}} machine; the CNI plugins of the guide exist for amd64 and arm64 only. Use an amd64 or arm64 edge node.',
      'mode.edgeBosh.cniMissing':
        '{{host}} needs the CNI plugins v{{version}} in {{dir}} but the bundle has no {{file}}. Add it to the bundle (cp-installer bundle) or put the plugins into {{dir}} on {{host}} yourself, and resume.',
      'mode.edgeBosh.cniIncomplete': '{{host}}: after unpacking the CNI plugins, {{dir}} still lacks {{plugins}}. Check the archive in the bundle and resume.',
      'mode.edgeBosh.noEdgecoreYaml': '{{host}} has no {{path}}: keadm join did not finish there. Run keadm reset on {{host}}, then resume (the join runs again).',
      'mode.edgeBosh.noEdgecoreService': '{{host}} has no {{path}}: keadm join did not install edgecore as a service. Run keadm reset on {{host}} and resume.',
      'mode.edgeBosh.edgecoreRestart': 'edgecore on {{host}} did not restart with the new settings. See journalctl -u edgecore and /var/log/kubeedge on {{host}}, then resume.',
      'mode.edgeBosh.flannelNotRunning':
        'kube-flannel-edge does not run on {{host}} ({{reason}}: {{detail}}). On {{host}}, edgecore needs metaServer on and networkPluginName cni (/etc/kubeedge/config/edgecore.yaml) and the CNI plugins in /opt/cni/bin; cloudcore needs dynamicController on (guide 2.6). Fix them and resume.',
    },
    ko: {
      'mode.edgeBosh.controlPlane': 'BOSH 미들웨어를 쓰는 2021 엣지는 마스터가 하나(cloudcore가 실행됨)입니다. control-plane 역할인 호스트를 정확히 하나로 하세요. 지금은 {{count}}개입니다.',
      'mode.edgeBosh.noWorker':
        '2021 엣지는 컨테이너 플랫폼을 클라우드 워커(K8S_WORKER_NODE_IP, 엣지 노드는 아님)에 배포합니다. 한 호스트에 worker 역할을 주세요.',
      'mode.edgeBosh.ipv4Services':
        '2021 엣지에는 IPv4 서비스 네트워크가 필요합니다(엣지 노드는 Kubespray 2.14가 CoreDNS를 두는 .3 주소로 이름을 찾습니다). {{value}}는 IPv4 네트워크가 아닙니다. 예: 10.233.0.0/18.',
      'mode.edgeBosh.release': '플랜에 bosh 항목이 있지만 릴리스 {{release}}에는 BOSH 미들웨어가 없습니다. 릴리스를 paasta-v1.0으로 하거나 bosh 항목을 빼세요.',
      'mode.edgeBosh.toolsMissing': '{{host}}에 {{tools}}이(가) 없습니다. 점프 박스에 BOSH CLI를 설치(BOSH 인셉션 VM에는 있음)한 뒤 재개하세요.',
      'mode.edgeBosh.step.edgeTrust': '엣지 노드에서 프라이빗 이미지 저장소 신뢰 설정',
      'mode.edgeBosh.step.flannel': '엣지 노드에서 flannel 실행(kube-flannel-edge)',
      'mode.edgeBosh.cloudcoreDown':
        '{{host}}에서 keadm init은 끝났지만 1분 안에 cloudcore가 {{endpoints}}에서 응답하지 않습니다. {{host}}의 /var/log/kubeedge/cloudcore.log를 확인(가이드는 nohup /usr/local/bin/cloudcore로 시작)한 뒤 재개하세요.',
      'mode.edgeBosh.noFlannel':
        '{{host}}: 클러스터의 kube-system에 kube-flannel DaemonSet이 없습니다. 2021 엣지 가이드(2.2)는 kube_network_plugin: flannel로 클라우드를 구성합니다. 그렇게 Kubespray를 실행한 뒤 재개하세요.',
      'mode.edgeBosh.edgeReach':
        '{{host}}(엣지)에서 프라이빗 이미지 저장소 {{endpoint}}에 접속할 수 없습니다. 엣지 네트워크에서 HAProxy(haproxy_public_url)로 가는 포트를 연 뒤 재개하세요.',
      'mode.edgeBosh.step.cloudcoreConfig': 'flannel과 kubectl logs를 위한 cloudcore 설정(dynamicController, cloudStream)',
      'mode.edgeBosh.step.edgecoreConfig': '엣지 노드의 edgecore 설정(CNI, metaServer, edgeStream)',
      'mode.edgeBosh.noCloudcoreYaml': '{{host}}에 {{path}}이(가) 없습니다. keadm init이 끝나지 않았습니다. {{host}}에서 keadm reset을 한 뒤 재개하세요(keadm init이 다시 실행됨).',
      'mode.edgeBosh.noClusterCa':
        '{{host}}에 kubectl logs용 stream 인증서를 서명할 클러스터 CA({{ca}}, {{key}})가 없습니다(가이드 2.7). 설치 도구가 만든 Kubespray 클러스터(인증서는 /etc/kubernetes/ssl)에서 실행한 뒤 재개하세요.',
      'mode.edgeBosh.streamCertFailed': '{{host}}에서 openssl로 kubectl logs용 stream 인증서를 만들지 못했습니다. 단계 로그를 보고 {{host}}에 openssl이 설치되어 있는지 확인한 뒤 재개하세요.',
      'mode.edgeBosh.cloudcoreRestartDown':
        'dynamicController와 cloudStream을 켜고 다시 시작한 {{host}}의 cloudcore가 {{endpoints}}에서 응답하지 않습니다. {{host}}의 {{log}}를 확인(stream 인증서가 없으면 멈춤)한 뒤 재개하세요.',
      'mode.edgeBosh.cniArch': '{{host}}는 {{machine}} 머신입니다. 가이드의 CNI 플러그인은 amd64와 arm64용만 있습니다. amd64 또는 arm64 엣지 노드를 쓰세요.',
      'mode.edgeBosh.cniMissing':
        '{{host}}의 {{dir}}에 CNI 플러그인 v{{version}}이 필요하지만 번들에 {{file}}이(가) 없습니다. 번들에 추가(cp-installer bundle)하거나 {{host}}의 {{dir}}에 플러그인을 직접 넣은 뒤 재개하세요.',
      'mode.edgeBosh.cniIncomplete': '{{host}}: CNI 플러그인을 풀었지만 {{dir}}에 {{plugins}}이(가) 아직 없습니다. 번들의 압축 파일을 확인한 뒤 재개하세요.',
      'mode.edgeBosh.noEdgecoreYaml': '{{host}}에 {{path}}이(가) 없습니다. keadm join이 끝나지 않았습니다. {{host}}에서 keadm reset을 한 뒤 재개하세요(join이 다시 실행됨).',
      'mode.edgeBosh.noEdgecoreService': '{{host}}에 {{path}}이(가) 없습니다. keadm join이 edgecore를 서비스로 설치하지 않았습니다. {{host}}에서 keadm reset을 한 뒤 재개하세요.',
      'mode.edgeBosh.edgecoreRestart': '{{host}}의 edgecore가 새 설정으로 다시 시작되지 않았습니다. {{host}}에서 journalctl -u edgecore와 /var/log/kubeedge를 확인한 뒤 재개하세요.',
      'mode.edgeBosh.flannelNotRunning':
        '{{host}}에서 kube-flannel-edge가 실행되지 않습니다({{reason}}: {{detail}}). {{host}}의 edgecore는 metaServer가 켜져 있고 networkPluginName이 cni(/etc/kubeedge/config/edgecore.yaml)이며 /opt/cni/bin에 CNI 플러그인이 있어야 하고, cloudcore는 dynamicController가 켜져 있어야 합니다(가이드 2.6). 고친 뒤 재개하세요.',
    },
  },
};
