// What plan validation, YAML loading and variable-file import say, in English and Korean: what is wrong
// (naming the value) and what to do. Plain data with no Node import: the renderer bundles it too.
import type { Catalogs } from '../common/messages.js';

export const planMessages: Catalogs = {
  en: {
    'plan.notObject':
      'The plan is empty or not a YAML mapping (found {{received}}). Start from `cp-installer init` and fill in your hosts.',
    'plan.schema.required':
      '{{field}} is missing. Add it; `cp-installer init` writes an example of every field.',
    'plan.schema.type': '{{field}} must be a {{expected}}, not a {{received}}. Correct its value.',
    'plan.schema.unknownKey':
      '{{field}}: "{{key}}" is not a plan field. Check its spelling and indentation, or remove it.',
    'plan.schema.value': '{{field}} is "{{value}}", which is not allowed. Use one of: {{allowed}}.',
    'plan.schema.tooSmall': '{{field}} is too small or too short (at least {{limit}}). Correct it.',
    'plan.schema.tooBig': '{{field}} is too large or too long (at most {{limit}}). Correct it.',
    'plan.schema.invalid':
      '{{field}} has a value the plan cannot use. Compare it with the example from `cp-installer init`.',
    'plan.address.invalid':
      '"{{value}}" is neither an IP address nor a valid host name (RFC 1123: letters, digits and hyphens in dot-separated labels of up to 63 characters). Enter an address such as 192.168.0.10 or node1.example.com.',
    'plan.ip.invalid':
      '"{{value}}" is not a valid IPv4 or IPv6 address. Write four numbers 0–255 separated by dots (e.g. 10.0.0.5) or an IPv6 address.',
    'plan.ip.leadingZero':
      '"{{value}}" has a number with a leading zero, which the system resolver reads as octal: it would connect to {{reads}}. Write {{field}} without leading zeros.',
    'plan.ip.numericForm':
      '"{{value}}" is an address written as a number (the system resolver reads it as {{reads}}), not a host name. Write {{field}} as four numbers 0–255 separated by dots.',
    'plan.text.control':
      'A control character ({{char}}) is in {{field}}. Every plan value is one line of printable text: remove it.',
    'plan.cluster.name':
      '"{{value}}" cannot be {{field}}: use a DNS label of lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters (e.g. cp-cluster).',
    'plan.user.invalid':
      '"{{value}}" is not a login name ({{field}}): use letters, digits, ".", "_" and "-", not starting with "-", at most 32 characters (e.g. ubuntu).',
    'plan.name.invalid':
      '"{{value}}" cannot be {{field}}: use only letters, digits, ".", "_" and "-", starting with a letter or digit, at most 63 characters.',
    'plan.path.invalid':
      '"{{value}}" cannot be {{field}}: write an absolute path (/…) or a path in your home folder (~/…).',
    'plan.path.remote':
      '"{{value}}" cannot be {{field}}: write an absolute path on the host, e.g. /home/share/nfs.',
    'plan.bundle.registryTls.site':
      '{{field}} has no effect: the plan names a site registry (registry.address), which the nodes reach as registry.insecure and registry.caFile say. Remove {{field}}.',
    'plan.bundle.registryTls.noFile':
      '{{field}} has no effect: only a plan with bundle.file runs the deployer\'s own registry. Add bundle.file, or remove {{field}}.',
    'plan.bundle.fileOrPath':
      'The offline bundle needs {{field}}: the file `cp-installer bundle build` made (it is unpacked beside itself when the run starts), or bundle.path for a folder already unpacked.',
    'plan.domain.invalid':
      '"{{value}}" is not a valid domain name for {{field}} (letters, digits and hyphens in dot-separated labels, the last not a number). Correct it.',
    'plan.label.key':
      '"{{value}}" is not a Kubernetes label key ({{field}}). Write [prefix/]name: the name at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit; the prefix a DNS name.',
    'plan.label.value':
      '"{{value}}" is not a Kubernetes label value ({{field}}). Leave it empty or use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (no "," or "=").',
    'plan.privateAddress.notIp':
      'The private address "{{value}}" must be an IP address (nodes use it between them). Enter the IP of the internal network interface, e.g. 10.0.0.11.',
    'plan.port.invalid': 'Port {{value}} is outside 1–65535. Enter the SSH port of the host (usually 22).',
    'plan.hostname.invalid':
      '"{{value}}" is not a valid domain name (letters, digits and hyphens in dot-separated labels). Correct it or remove it to use <ingress IP>.nip.io.',
    'plan.metallb.invalid':
      'The MetalLB range "{{value}}" is not a range of addresses. Write it as first-last, e.g. 192.168.0.150-192.168.0.160 (first ≤ last), or as a CIDR.',
    'plan.registry.user': 'registry.user "{{value}}" cannot be a registry login: use the user name alone, without a colon, space or control character (its password is asked for separately, never put in the plan).',
    'plan.registry.invalid':
      'The registry address "{{value}}" must be host[:port] without a scheme, e.g. registry.example.com:5000.',
    'plan.url.invalid':
      '"{{value}}" is not an http(s) URL. Write it in full, e.g. https://api.sys.example.com.',
    'plan.host.nodeName':
      'Host name "{{value}}" cannot be a Kubernetes node name: use lowercase letters, digits, "-" and ".", starting and ending with a letter or digit. For example: {{suggestion}}.',
    'plan.host.duplicateName':
      'Host name "{{value}}" is already used by {{other}}. Give every host its own name.',
    'plan.host.duplicateAddress':
      'Address "{{value}}" is already used by {{other}}. Every host needs its own address (hosts behind one NAT address need different ports and their own private addresses).',
    'plan.auth.duplicate': 'Auth profile name "{{value}}" is used twice. Rename one of them.',
    'plan.auth.keyPath':
      'Auth profile "{{profile}}" uses a key but names no key file. Set keyPath, e.g. ~/.ssh/id_rsa, or choose the agent method.',
    'plan.auth.missing':
      'Auth profile "{{value}}" does not exist (profiles: {{known}}). Add it under auth or pick an existing one.',
    'plan.release.unknown': 'Release "{{value}}" is not in the version catalog. Choose one of: {{known}}.',
    'plan.release.runtime':
      'Release {{release}} has no {{value}} version. Choose a runtime it ships: {{offered}}.',
    'plan.edge.noKubeEdge':
      'Release {{release}} has no KubeEdge version, so it cannot install edge nodes. Choose a release that has one: {{fits}}.',
    'plan.edge.incompatible':
      'Release {{release}} pairs KubeEdge {{kubeedge}} with Kubernetes {{kubernetes}}, but KubeEdge {{kubeedge}} supports Kubernetes {{range}} only. Choose a release whose pair fits: {{fits}}.',
    'plan.roles.noControlPlane':
      'Mode {{mode}} needs at least one host with the control-plane role. Add the role to a host.',
    'plan.roles.noWorker':
      'Mode {{mode}} needs at least one host with the worker role. Add the role to a host.',
    'plan.edge.controlPlaneCount':
      'Edge mode runs one cloud control plane, but the plan has {{count}}. Give the control-plane role to exactly one host.',
    'plan.expandEdge.noControlPlane':
      'Adding edge nodes needs SSH to a control plane of the existing cluster. Add that host with the control-plane role.',
    'plan.edge.noEdgeHost': 'Mode {{mode}} needs at least one host with the edge role. Add your edge hosts.',
    'plan.edge.roleConflict':
      'Host {{host}} has the edge role and also {{roles}}. An edge node runs only edgecore: remove the other roles or use another host.',
    'plan.caas.bosh': 'CaaS mode deploys on BOSH: add the bosh section (director address, CA, client).',
    'plan.caas.paasta':
      'CaaS mode registers a service broker with PaaS-TA: add the paasta section (cfApi, uaaUrl).',
    'plan.import.boshDirector':
      'bosh.directorAddress is {{value}}, taken from credhub_server_url (CredHub runs on the director in bosh-deployment). Check it.',
    'plan.import.boshHaproxy':
      'haproxy_public_url ("{{value}}") is not an address yet: set bosh.haproxyAddress to HAProxy\'s static public IP.',
    'plan.import.boshSecret':
      '{{key}} was not imported: it is a secret, asked for (or read from its CP_… variable) when the plan is applied.',
    'plan.ha.loadBalancer':
      'With {{count}} control planes the API needs a load balancer: set cluster.loadBalancerDomain to its VIP or domain.',
    'plan.ha.etcdType':
      'With {{count}} control planes choose where etcd runs: set cluster.etcdType to stacked (on the control planes) or external.',
    'plan.etcd.none':
      'External etcd needs hosts with the etcd role. Add 1, 3, 5 or 7 etcd hosts, or use stacked etcd.',
    'plan.etcd.tooMany':
      'The plan has {{count}} etcd hosts; at most {{max}} are useful (more slows every write). Keep 3, 5 or 7.',
    'plan.etcd.even':
      'The plan has {{count}} etcd hosts. etcd needs an odd number to keep a majority: use {{count}} ± 1.',
    'plan.storage.rookWorkers':
      'Rook-Ceph needs at least 3 workers, each with an extra raw disk; the plan has {{count}}. Add workers or choose nfs storage.',
    'plan.storage.nfsServer':
      'NFS storage needs a server: set storage.nfs.server to its private IP, or give a host the nfs role.',
    'plan.portal.noDomain':
      'The portal needs a domain: set portal.domain, or set network.ingressIp so <ingress IP>.nip.io can be used.',
    'plan.portal.tlsFile':
      'TLS mode "provided" needs both certFile and keyFile. Set the missing file path, or use mode auto.',
    'plan.portal.archiveName':
      '"{{value}}" is not a .tar.gz archive. Set portal.archive to the downloaded cp-portal-deployment-v<version>.tar.gz.',
    'plan.cidr.invalid': '"{{value}}" is not a CIDR. Write a network and prefix length, e.g. 10.233.64.0/18.',
    'plan.cidr.hostBits': '"{{value}}" has host bits set. Write the network address: {{network}}.',
    'plan.cidr.overlap':
      '"{{value}}" overlaps {{otherField}} ({{other}}). Pod network, service network and MetalLB range must not share addresses: choose a range that does not overlap.',
    'plan.cidr.hostInside':
      'Address {{value}} lies inside {{otherField}} ({{cidr}}), which Kubernetes uses internally. Change {{otherField}} to a range your network does not use.',
    'plan.metallb.containsHost':
      'Host address {{value}} lies inside the MetalLB range {{range}}: MetalLB would hand it out. Move the range to free addresses.',
    'plan.metallb.containsVip':
      '{{value}} lies inside the MetalLB range {{range}}; it gets its own pool and must be outside the range. Choose a free address outside it.',
    'plan.secret.key':
      '{{field}} holds a secret ("{{key}}"). Remove it from the plan: passwords and passphrases are asked for when needed, or come from the OS keychain.',
    'plan.secret.value':
      '{{field}} holds what looks like a {{kind}}. Remove it from the plan: refer to a file path, and let the installer ask for secrets.',
    'plan.yaml.syntax':
      'YAML syntax error ({{code}}): {{detail}}. Check indentation and the space after each colon on that line.',
    'plan.yaml.empty': 'The file is empty. Run `cp-installer init -o plan.yaml` to start from an example.',
    'plan.file.unreadable': 'Cannot read {{path}}: {{reason}}. Check the path, and that this user may read the file.',
    'plan.path.notAllowed':
      '{{path}} is outside the folders browser mode may read and write ({{roots}}). Use a path inside one of them (a relative path is taken inside the work folder), or start `cp-installer serve --allow-dir DIR` with the folder you want.',
    'plan.vars.commandSubstitution':
      'Line {{line}}: {{name}} uses command substitution, which is never executed here. Write the value itself.',
    'plan.vars.unparsed': 'Line {{line}} is not a variable assignment and was skipped: {{text}}',
    'plan.vars.missing': '{{name}} is empty or missing. Set it in the variables file.',
    'plan.vars.count': '{{name}} must be a whole number, not "{{value}}".',
    'plan.vars.unsupported':
      '{{name}} is not carried into the plan (this installer does not support it yet); set it again after export.',
    'plan.vars.secret':
      '{{name}} holds a secret and is not copied into the plan: the installer asks for it when needed.',
    'plan.warn.legacyRuntime':
      'Release {{release}} predates CRI-O and installs Docker; cluster.runtime is ignored for it.',
    'plan.warn.singleControlPlane':
      'One control plane: the cluster stops being manageable if that host fails. Use 3 control planes for production.',
    'plan.warn.evenControlPlanes':
      '{{count}} control planes with stacked etcd: an even number tolerates no more failures than one fewer. Use an odd number.',
    'plan.warn.etcdCount':
      '{{etcd}} etcd hosts for {{count}} control planes: the official scripts expect as many etcd hosts as control planes.',
    'plan.warn.etcdRoleUnused':
      'The etcd role on {{count}} of the hosts is ignored: etcd is stacked on the control planes. Set cluster.etcdType to external to use those hosts.',
    'plan.warn.noRoles':
      'Host {{host}} has no roles and takes no part in the install. Give it a role or remove it.',
    'plan.warn.sharedControlPlane':
      'Host {{host}} is both control plane and worker: give it at least 16 GB of memory (8 GB is the minimum per machine).',
    'plan.warn.edgeIgnored':
      'Host {{host}} has the edge role, which mode {{mode}} ignores. Use mode edge or expand-edge.',
    'plan.warn.roleIgnored':
      'Host {{host}} has the {{role}} role, which mode {{mode}} does not use: nothing is installed for it. Remove the role, or choose a mode that uses it.',
    'plan.warn.rookDisks':
      'Rook-Ceph needs an extra unformatted disk on every worker; preflight checks for it.',
    'plan.warn.noMetallb':
      'No MetalLB range: LoadBalancer services (ingress, portal) get no address. Set network.metallbRange to free addresses.',
    'plan.warn.outsideHostNet':
      "{{field}} is {{value}}, which is not in the hosts' network ({{nets}}): an address left from an example? Use a free address the hosts can reach on their network.",
    'plan.warn.portalNoArchive':
      'No portal archive: the cluster is installed without the portal, and no portal URL is shown. Set portal.archive to the downloaded cp-portal-deployment-v<version>.tar.gz (the guide links it), or portal.enabled: false.',
    'plan.warn.nipio':
      'The portal will use {{domain}}, which needs public DNS (nip.io) on every client. Set portal.domain if the site has no internet.',
    'plan.warn.nipioOffline':
      'This plan is for an offline site, but the portal domain {{domain}} resolves only through public DNS (nip.io). Set portal.domain to a name your DNS serves.',
    'cli.plan.error': 'error',
    'cli.plan.warning': 'warning',
    'cli.plan.valid': '{{file}}: the plan is valid.',
    'cli.plan.summary': '{{file}}: {{errors}} error(s), {{warnings}} warning(s).',
    'cli.plan.written': 'Wrote {{path}}.',
    'cli.plan.exists': '{{path}} already exists. Choose another file, or add --force to overwrite it.',
    'cli.plan.exportRefused':
      '{{file}} has errors, so the scripts would refuse these variables. Fix them (`cp-installer validate {{file}}`) or add --force.',
    'cli.plan.importErrors':
      'The variable files are incomplete; the plan was written anyway. Fill in what is missing, then run `cp-installer validate`.',
  },
  ko: {
    'cli.plan.error': '오류',
    'cli.plan.warning': '경고',
    'cli.plan.valid': '{{file}}: 플랜이 올바릅니다.',
    'cli.plan.summary': '{{file}}: 오류 {{errors}}개, 경고 {{warnings}}개.',
    'cli.plan.written': '{{path}} 파일을 썼습니다.',
    'cli.plan.exists': '{{path}} 파일이 이미 있습니다. 다른 파일을 고르거나 덮어쓰려면 --force를 붙이세요.',
    'cli.plan.exportRefused':
      '{{file}}에 오류가 있어 공식 스크립트가 이 변수를 거부합니다. 오류를 고치거나(`cp-installer validate {{file}}`) --force를 붙이세요.',
    'cli.plan.importErrors':
      '변수 파일에 빠진 값이 있지만 플랜은 작성했습니다. 빠진 값을 채운 뒤 `cp-installer validate`를 실행하세요.',
    'plan.notObject':
      '플랜이 비어 있거나 YAML 매핑이 아닙니다({{received}}). `cp-installer init`으로 예제를 만든 뒤 호스트 정보를 채우세요.',
    'plan.schema.required':
      '{{field}} 값이 없습니다. 추가하세요. `cp-installer init`이 모든 항목의 예제를 만들어 줍니다.',
    'plan.schema.type':
      '{{field}}은(는) {{received}}이(가) 아니라 {{expected}} 형식이어야 합니다. 값을 고치세요.',
    'plan.schema.unknownKey':
      '{{field}}: "{{key}}"은(는) 플랜 항목이 아닙니다. 철자와 들여쓰기를 확인하거나 삭제하세요.',
    'plan.schema.value':
      '{{field}} 값 "{{value}}"은(는) 허용되지 않습니다. 다음 중 하나를 쓰세요: {{allowed}}.',
    'plan.schema.tooSmall': '{{field}} 값이 너무 작거나 짧습니다(최소 {{limit}}). 고치세요.',
    'plan.schema.tooBig': '{{field}} 값이 너무 크거나 깁니다(최대 {{limit}}). 고치세요.',
    'plan.schema.invalid':
      '{{field}} 값을 플랜에서 쓸 수 없습니다. `cp-installer init` 예제와 비교해 보세요.',
    'plan.address.invalid':
      '"{{value}}"은(는) IP 주소도, 올바른 호스트명(RFC 1123: 영문자·숫자·하이픈으로 된 63자 이하 레이블을 점으로 연결)도 아닙니다. 192.168.0.10 또는 node1.example.com 같은 주소를 입력하세요.',
    'plan.ip.invalid':
      '"{{value}}"은(는) 올바른 IPv4/IPv6 주소가 아닙니다. 0–255 숫자 네 개를 점으로 구분해 쓰거나(예: 10.0.0.5) IPv6 주소를 입력하세요.',
    'plan.ip.leadingZero':
      '"{{value}}"에는 0으로 시작하는 숫자가 있어 시스템 리졸버가 8진수로 읽습니다. 실제로는 {{reads}}에 연결됩니다. {{field}}을(를) 앞의 0 없이 쓰세요.',
    'plan.ip.numericForm':
      '"{{value}}"은(는) 호스트명이 아니라 숫자로 쓴 주소입니다(시스템 리졸버는 {{reads}}(으)로 읽습니다). {{field}}을(를) 0–255 숫자 네 개를 점으로 구분해 쓰세요.',
    'plan.text.control':
      '{{field}}에 제어 문자({{char}})가 있습니다. 플랜의 모든 값은 출력 가능한 문자로 된 한 줄이어야 합니다. 제어 문자를 지우세요.',
    'plan.cluster.name':
      '"{{value}}"은(는) {{field}}로 쓸 수 없습니다. 영문 소문자·숫자·"-"로 된 DNS 레이블을 쓰세요. 영문자나 숫자로 시작하고 끝나며 63자 이하여야 합니다(예: cp-cluster).',
    'plan.user.invalid':
      '"{{value}}"은(는) 로그인 이름({{field}})으로 쓸 수 없습니다. 영문자·숫자·".", "_", "-"만 쓰고, "-"로 시작하지 않으며, 32자 이하여야 합니다(예: ubuntu).',
    'plan.name.invalid':
      '"{{value}}"은(는) {{field}}로 쓸 수 없습니다. 영문자·숫자·".", "_", "-"만 쓰고, 영문자나 숫자로 시작하며, 63자 이하여야 합니다.',
    'plan.path.invalid':
      '"{{value}}"은(는) {{field}}로 쓸 수 없습니다. 절대 경로(/…)나 홈 폴더 안의 경로(~/…)를 쓰세요.',
    'plan.path.remote':
      '"{{value}}"은(는) {{field}}로 쓸 수 없습니다. 호스트의 절대 경로를 쓰세요(예: /home/share/nfs).',
    'plan.bundle.registryTls.site':
      '{{field}}은(는) 효과가 없습니다. 계획이 현장 레지스트리(registry.address)를 지정했고, 노드는 registry.insecure와 registry.caFile에 따라 그 레지스트리에 접속합니다. {{field}}을(를) 지우십시오.',
    'plan.bundle.registryTls.noFile':
      '{{field}}은(는) 효과가 없습니다. 배포 호스트의 자체 레지스트리는 bundle.file이 있는 계획에서만 실행됩니다. bundle.file을 추가하거나 {{field}}을(를) 지우십시오.',
    'plan.bundle.fileOrPath':
      '오프라인 번들에는 {{field}}가 필요합니다. `cp-installer bundle build`로 만든 파일을 지정하거나(실행이 시작될 때 그 옆에 풀립니다), 이미 풀어 둔 폴더라면 bundle.path를 지정하세요.',
    'plan.domain.invalid':
      '"{{value}}"은(는) {{field}}에 쓸 올바른 도메인 이름이 아닙니다(영문자·숫자·하이픈 레이블을 점으로 연결, 마지막 레이블은 숫자가 아님). 고치세요.',
    'plan.label.key':
      '"{{value}}"은(는) Kubernetes 레이블 키가 아닙니다({{field}}). [접두사/]이름 형식으로 쓰세요. 이름은 영문자·숫자·"-", "_", "."로 된 63자 이하이며 영문자나 숫자로 시작하고 끝나야 하고, 접두사는 DNS 이름이어야 합니다.',
    'plan.label.value':
      '"{{value}}"은(는) Kubernetes 레이블 값이 아닙니다({{field}}). 비워 두거나 영문자·숫자·"-", "_", "."로 된 63자 이하 값을 쓰세요. 영문자나 숫자로 시작하고 끝나야 합니다("," 또는 "=" 불가).',
    'plan.privateAddress.notIp':
      '사설 주소 "{{value}}"은(는) IP 주소여야 합니다(노드 간 통신에 사용). 내부 네트워크 인터페이스의 IP를 입력하세요(예: 10.0.0.11).',
    'plan.port.invalid':
      '포트 {{value}}이(가) 1–65535 범위를 벗어났습니다. 호스트의 SSH 포트(보통 22)를 입력하세요.',
    'plan.hostname.invalid':
      '"{{value}}"은(는) 올바른 도메인 이름이 아닙니다(영문자·숫자·하이픈 레이블을 점으로 연결). 고치거나, 지우고 <인그레스 IP>.nip.io를 사용하세요.',
    'plan.metallb.invalid':
      'MetalLB 범위 "{{value}}"이(가) 주소 범위가 아닙니다. 시작-끝 형식(예: 192.168.0.150-192.168.0.160, 시작 ≤ 끝)이나 CIDR로 쓰세요.',
    'plan.registry.user': 'registry.user "{{value}}"은(는) 레지스트리 로그인 이름이 될 수 없습니다. 콜론, 공백, 제어 문자 없이 사용자 이름만 쓰십시오(비밀번호는 따로 묻고, 계획에는 넣지 않습니다).',
    'plan.registry.invalid':
      '레지스트리 주소 "{{value}}"은(는) 스킴 없이 호스트[:포트] 형식이어야 합니다(예: registry.example.com:5000).',
    'plan.url.invalid':
      '"{{value}}"은(는) http(s) URL이 아닙니다. 전체 주소를 쓰세요(예: https://api.sys.example.com).',
    'plan.host.nodeName':
      '호스트명 "{{value}}"은(는) 쿠버네티스 노드 이름으로 쓸 수 없습니다. 영문 소문자, 숫자, "-", "."만 쓰고 영문자나 숫자로 시작하고 끝나야 합니다. 예: {{suggestion}}.',
    'plan.host.duplicateName':
      '호스트명 "{{value}}"을(를) {{other}}이(가) 이미 쓰고 있습니다. 호스트마다 다른 이름을 주세요.',
    'plan.host.duplicateAddress':
      '주소 "{{value}}"을(를) {{other}}이(가) 이미 쓰고 있습니다. 호스트마다 주소가 달라야 합니다(같은 NAT 주소 뒤의 호스트는 포트와 사설 주소가 달라야 합니다).',
    'plan.auth.duplicate': '인증 프로필 이름 "{{value}}"이(가) 두 번 쓰였습니다. 하나의 이름을 바꾸세요.',
    'plan.auth.keyPath':
      '인증 프로필 "{{profile}}"은(는) 키 방식인데 키 파일이 지정되지 않았습니다. keyPath(예: ~/.ssh/id_rsa)를 지정하거나 agent 방식을 고르세요.',
    'plan.auth.missing':
      '인증 프로필 "{{value}}"이(가) 없습니다(있는 프로필: {{known}}). auth 아래에 추가하거나 있는 프로필을 고르세요.',
    'plan.release.unknown':
      '릴리스 "{{value}}"은(는) 버전 카탈로그에 없습니다. 다음 중에서 고르세요: {{known}}.',
    'plan.release.runtime':
      '릴리스 {{release}}에는 {{value}} 버전이 없습니다. 이 릴리스가 제공하는 런타임을 고르세요: {{offered}}.',
    'plan.edge.noKubeEdge':
      '릴리스 {{release}}에는 KubeEdge 버전이 없어 엣지 노드를 설치할 수 없습니다. KubeEdge가 있는 릴리스를 고르세요: {{fits}}.',
    'plan.edge.incompatible':
      '릴리스 {{release}}는 KubeEdge {{kubeedge}}와 쿠버네티스 {{kubernetes}}를 함께 쓰지만, KubeEdge {{kubeedge}}는 쿠버네티스 {{range}}만 지원합니다. 호환되는 조합의 릴리스를 고르세요: {{fits}}.',
    'plan.roles.noControlPlane':
      '{{mode}} 모드에는 control-plane 역할의 호스트가 1대 이상 필요합니다. 호스트에 역할을 추가하세요.',
    'plan.roles.noWorker':
      '{{mode}} 모드에는 worker 역할의 호스트가 1대 이상 필요합니다. 호스트에 역할을 추가하세요.',
    'plan.edge.controlPlaneCount':
      '엣지 모드는 클라우드 컨트롤 플레인 1대로 동작하는데 플랜에는 {{count}}대가 있습니다. control-plane 역할을 정확히 1대에만 주세요.',
    'plan.expandEdge.noControlPlane':
      '엣지 노드를 추가하려면 기존 클러스터의 컨트롤 플레인에 SSH로 접속해야 합니다. 그 호스트를 control-plane 역할로 추가하세요.',
    'plan.edge.noEdgeHost':
      '{{mode}} 모드에는 edge 역할의 호스트가 1대 이상 필요합니다. 엣지 호스트를 추가하세요.',
    'plan.edge.roleConflict':
      '호스트 {{host}}에 edge 역할과 함께 {{roles}} 역할이 있습니다. 엣지 노드는 edgecore만 실행하므로 다른 역할을 빼거나 다른 호스트를 쓰세요.',
    'plan.caas.bosh':
      'CaaS 모드는 BOSH 위에 배포합니다. bosh 항목(디렉터 주소, CA, 클라이언트)을 추가하세요.',
    'plan.caas.paasta':
      'CaaS 모드는 PaaS-TA에 서비스 브로커를 등록합니다. paasta 항목(cfApi, uaaUrl)을 추가하세요.',
    'plan.import.boshDirector':
      'bosh.directorAddress는 credhub_server_url에서 가져온 {{value}}입니다(bosh-deployment에서 CredHub는 디렉터에서 실행됩니다). 확인하세요.',
    'plan.import.boshHaproxy':
      'haproxy_public_url("{{value}}")은(는) 아직 주소가 아닙니다. bosh.haproxyAddress를 HAProxy의 고정 공인 IP로 설정하세요.',
    'plan.import.boshSecret':
      '{{key}}은(는) 가져오지 않았습니다. 비밀 값이므로 플랜을 적용할 때 묻거나 CP_… 변수에서 읽습니다.',
    'plan.ha.loadBalancer':
      '컨트롤 플레인이 {{count}}대이면 API 로드밸런서가 필요합니다. cluster.loadBalancerDomain에 VIP 또는 도메인을 지정하세요.',
    'plan.ha.etcdType':
      '컨트롤 플레인이 {{count}}대이면 etcd 위치를 정해야 합니다. cluster.etcdType을 stacked(컨트롤 플레인에 함께) 또는 external로 지정하세요.',
    'plan.etcd.none':
      '외부 etcd에는 etcd 역할의 호스트가 필요합니다. etcd 호스트를 1, 3, 5, 7대 추가하거나 stacked etcd를 쓰세요.',
    'plan.etcd.tooMany':
      'etcd 호스트가 {{count}}대입니다. {{max}}대를 넘으면 쓰기만 느려집니다. 3, 5, 7대로 맞추세요.',
    'plan.etcd.even':
      'etcd 호스트가 {{count}}대입니다. etcd는 과반수를 유지하려면 홀수 대가 필요합니다. 1대를 더하거나 빼세요.',
    'plan.storage.rookWorkers':
      'Rook-Ceph에는 추가 디스크가 있는 worker가 3대 이상 필요한데 플랜에는 {{count}}대입니다. worker를 추가하거나 nfs 스토리지를 고르세요.',
    'plan.storage.nfsServer':
      'NFS 스토리지에는 서버가 필요합니다. storage.nfs.server에 서버의 사설 IP를 지정하거나 호스트에 nfs 역할을 주세요.',
    'plan.portal.noDomain':
      '포털에는 도메인이 필요합니다. portal.domain을 지정하거나, <인그레스 IP>.nip.io를 쓸 수 있도록 network.ingressIp를 지정하세요.',
    'plan.portal.tlsFile':
      'TLS 모드 "provided"에는 certFile과 keyFile이 모두 필요합니다. 빠진 파일 경로를 지정하거나 auto 모드를 쓰세요.',
    'plan.portal.archiveName':
      '"{{value}}"은(는) .tar.gz 압축 파일이 아닙니다. portal.archive를 내려받은 cp-portal-deployment-v<버전>.tar.gz로 지정하세요.',
    'plan.cidr.invalid':
      '"{{value}}"은(는) CIDR이 아닙니다. 네트워크 주소와 접두사 길이를 쓰세요(예: 10.233.64.0/18).',
    'plan.cidr.hostBits': '"{{value}}"에 호스트 비트가 있습니다. 네트워크 주소로 쓰세요: {{network}}.',
    'plan.cidr.overlap':
      '"{{value}}"이(가) {{otherField}}({{other}})와 겹칩니다. 파드 네트워크, 서비스 네트워크, MetalLB 범위는 주소를 공유하면 안 됩니다. 겹치지 않는 범위를 고르세요.',
    'plan.cidr.hostInside':
      '주소 {{value}}이(가) 쿠버네티스 내부용 {{otherField}}({{cidr}}) 안에 있습니다. {{otherField}}를 현재 네트워크에서 쓰지 않는 범위로 바꾸세요.',
    'plan.metallb.containsHost':
      '호스트 주소 {{value}}이(가) MetalLB 범위 {{range}} 안에 있어 MetalLB가 이 주소를 할당할 수 있습니다. 범위를 비어 있는 주소로 옮기세요.',
    'plan.metallb.containsVip':
      '{{value}}이(가) MetalLB 범위 {{range}} 안에 있습니다. 이 주소는 별도 풀로 쓰이므로 범위 밖이어야 합니다. 범위 밖의 빈 주소를 고르세요.',
    'plan.secret.key':
      '{{field}}에 비밀값("{{key}}")이 들어 있습니다. 플랜에서 지우세요. 비밀번호와 패스프레이즈는 필요할 때 입력받거나 OS 키체인에서 가져옵니다.',
    'plan.secret.value':
      '{{field}}에 {{kind}}(으)로 보이는 값이 있습니다. 플랜에서 지우고 파일 경로로 지정하세요. 비밀값은 설치 프로그램이 물어봅니다.',
    'plan.yaml.syntax':
      'YAML 문법 오류({{code}}): {{detail}}. 해당 줄의 들여쓰기와 콜론 뒤 공백을 확인하세요.',
    'plan.yaml.empty': '파일이 비어 있습니다. `cp-installer init -o plan.yaml`로 예제부터 만드세요.',
    'plan.file.unreadable': '{{path}}을(를) 읽을 수 없습니다: {{reason}}. 경로와, 이 사용자가 그 파일을 읽을 수 있는지 확인하세요.',
    'plan.path.notAllowed':
      '{{path}}은(는) 브라우저 모드가 읽고 쓸 수 있는 폴더({{roots}}) 밖에 있습니다. 그 안의 경로를 쓰거나(상대 경로는 작업 폴더 안으로 해석합니다), 원하는 폴더를 `cp-installer serve --allow-dir DIR`로 지정해 다시 시작하세요.',
    'plan.vars.commandSubstitution':
      '{{line}}번째 줄: {{name}}에 명령 치환이 있습니다. 여기서는 실행하지 않으므로 값을 직접 쓰세요.',
    'plan.vars.unparsed': '{{line}}번째 줄은 변수 대입이 아니라서 건너뛰었습니다: {{text}}',
    'plan.vars.missing': '{{name}} 값이 비어 있거나 없습니다. 변수 파일에 지정하세요.',
    'plan.vars.count': '{{name}}은(는) "{{value}}"가 아니라 정수여야 합니다.',
    'plan.vars.unsupported':
      '{{name}}은(는) 플랜에 옮겨지지 않습니다(아직 지원하지 않음). 내보낸 뒤 다시 지정하세요.',
    'plan.vars.secret':
      '{{name}}은(는) 비밀값이라 플랜에 옮기지 않습니다. 필요할 때 설치 프로그램이 물어봅니다.',
    'plan.warn.legacyRuntime':
      '릴리스 {{release}}는 CRI-O 이전 릴리스로 Docker를 설치합니다. cluster.runtime 설정은 무시됩니다.',
    'plan.warn.singleControlPlane':
      '컨트롤 플레인이 1대라서 이 호스트가 고장 나면 클러스터를 관리할 수 없습니다. 운영 환경에서는 3대를 쓰세요.',
    'plan.warn.evenControlPlanes':
      'stacked etcd에서 컨트롤 플레인 {{count}}대(짝수)는 1대 적을 때보다 장애를 더 견디지 못합니다. 홀수 대를 쓰세요.',
    'plan.warn.etcdCount':
      '컨트롤 플레인 {{count}}대에 etcd 호스트가 {{etcd}}대입니다. 공식 스크립트는 두 수가 같다고 가정합니다.',
    'plan.warn.etcdRoleUnused':
      'etcd 역할의 호스트가 {{count}}대 있지만 etcd가 컨트롤 플레인에 stacked로 실행되어 역할이 무시됩니다. 쓰려면 cluster.etcdType을 external로 지정하세요.',
    'plan.warn.noRoles': '호스트 {{host}}에 역할이 없어 설치에 참여하지 않습니다. 역할을 주거나 삭제하세요.',
    'plan.warn.sharedControlPlane':
      '호스트 {{host}}는 컨트롤 플레인이면서 worker입니다. 메모리를 16GB 이상 주세요(장비당 최소 8GB).',
    'plan.warn.edgeIgnored':
      '호스트 {{host}}의 edge 역할은 {{mode}} 모드에서 무시됩니다. edge 또는 expand-edge 모드를 쓰세요.',
    'plan.warn.roleIgnored':
      '호스트 {{host}}의 {{role}} 역할은 {{mode}} 모드에서 쓰지 않아 아무것도 설치되지 않습니다. 역할을 지우거나 그 역할을 쓰는 모드를 고르세요.',
    'plan.warn.rookDisks':
      'Rook-Ceph에는 모든 worker에 포맷하지 않은 추가 디스크가 필요합니다. 사전 점검에서 확인합니다.',
    'plan.warn.noMetallb':
      'MetalLB 범위가 없어 LoadBalancer 서비스(인그레스, 포털)가 주소를 받지 못합니다. network.metallbRange에 빈 주소 범위를 지정하세요.',
    'plan.warn.outsideHostNet':
      '{{field}} 값 {{value}}은(는) 호스트의 네트워크({{nets}})에 없습니다. 예시에서 남은 주소가 아닌지 확인하고, 호스트가 자기 네트워크에서 닿을 수 있는 빈 주소를 쓰세요.',
    'plan.warn.portalNoArchive':
      '포털 배포 파일이 없습니다. 클러스터는 포털 없이 설치되며 포털 URL은 표시되지 않습니다. portal.archive를 내려받은 cp-portal-deployment-v<버전>.tar.gz(가이드에 링크가 있습니다)로 지정하거나 portal.enabled: false로 두세요.',
    'plan.warn.nipio':
      '포털이 {{domain}}을(를) 씁니다. 모든 클라이언트에서 공용 DNS(nip.io)가 필요합니다. 인터넷이 없는 환경이면 portal.domain을 지정하세요.',
    'plan.warn.nipioOffline':
      '오프라인 환경용 플랜인데 포털 도메인 {{domain}}은(는) 공용 DNS(nip.io)로만 해석됩니다. portal.domain을 사내 DNS가 제공하는 이름으로 지정하세요.',
  },
};
