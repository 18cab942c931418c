# Shared state of the fake kubeadm / keadm / kubectl (test only). Installed next to them in a test host's
# /usr/local/bin. The cloud side keeps the "cluster" in /var/lib/cp-installer/fake-k8s/cluster.json on the
# control plane (that path is per test host: the harness bind-mounts it); an edge host keeps its edgecore
# state in /var/lib/cp-installer/fake-k8s/edge/ (never the machine's real /etc/kubeedge, which all test
# hosts share). Writes are atomic (rename) and serialised with flock, so 100 joins at once stay consistent.
import fcntl, json, os, sys, time, contextlib

HERE = os.path.dirname(os.path.abspath(__file__))
STATE_DIR = os.environ.get('FAKE_K8S_STATE', '/var/lib/cp-installer/fake-k8s')
CLUSTER = os.path.join(STATE_DIR, 'cluster.json')
EDGE_DIR = os.path.join(STATE_DIR, 'edge')
DATA = os.path.join(HERE, '.fakes')


def versions():
    try:
        with open(os.path.join(DATA, 'versions.json')) as f:
            return json.load(f)
    except OSError:
        return {}


def fixture(name, replacements=()):
    with open(os.path.join(DATA, name)) as f:
        text = f.read()
    for old, new in replacements:
        text = text.replace(old, new)
    return text


def vtuple(v):
    parts = v.lstrip('v').split('.')
    return (int(parts[0]), int(parts[1]) if len(parts) > 1 else 0)


def is_root():
    return os.geteuid() == 0


@contextlib.contextmanager
def locked():
    os.makedirs(STATE_DIR, exist_ok=True)
    with open(os.path.join(STATE_DIR, '.lock'), 'a+') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load():
    try:
        with open(CLUSTER) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def save(state):
    os.makedirs(STATE_DIR, exist_ok=True)
    tmp = CLUSTER + '.%d.tmp' % os.getpid()
    with open(tmp, 'w') as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(tmp, CLUSTER)


def update(fn):
    with locked():
        state = load()
        result = fn(state)
        if state is not None:
            save(state)
        return result


def now():
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


def node(name, ip, roles, version, ready, taints=()):
    labels = {'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64'}
    for r in roles:
        labels['node-role.kubernetes.io/' + r] = ''
    return {
        'apiVersion': 'v1', 'kind': 'Node',
        'metadata': {'name': name, 'labels': labels, 'creationTimestamp': now()},
        'spec': {'taints': [{'key': t, 'effect': 'NoSchedule'} for t in taints]},
        'status': {
            'conditions': [{'type': 'Ready', 'status': 'True' if ready else 'False',
                            'reason': 'KubeletReady' if ready else 'KubeletNotReady'}],
            'addresses': [{'type': 'InternalIP', 'address': ip}, {'type': 'Hostname', 'address': name}],
            'nodeInfo': {'kubeletVersion': version},
        },
    }


def workload(kind, namespace, name, extra_spec=None):
    spec = {'template': {'spec': {'containers': [{'name': name}]}}}
    if extra_spec:
        spec['template']['spec'].update(extra_spec)
    return {'apiVersion': 'apps/v1', 'kind': kind, 'metadata': {'name': name, 'namespace': namespace}, 'spec': spec}


def new_cluster(kubernetes):
    return {'kubernetes': kubernetes, 'nodes': [], 'workloads': [], 'services': [], 'pods': [], 'objects': [],
            'bootstrapToken': None, 'cloudcore': None}


def die(msg, code=1):
    sys.stderr.write(msg if msg.endswith('\n') else msg + '\n')
    sys.exit(code)


def deep_merge(dst, src, list_keys=None):
    """Strategic-merge-ish: dicts merge, lists of dicts merge by a known key (port/name), else replace."""
    for k, v in src.items():
        if v is None:
            dst.pop(k, None)
        elif isinstance(v, dict) and isinstance(dst.get(k), dict):
            deep_merge(dst[k], v)
        elif isinstance(v, list) and isinstance(dst.get(k), list) and v and isinstance(v[0], dict):
            key = 'port' if 'port' in v[0] else ('name' if 'name' in v[0] else None)
            if key is None:
                dst[k] = v
                continue
            for item in v:
                match = next((d for d in dst[k] if d.get(key) == item.get(key)), None)
                if match is None:
                    dst[k].append(item)
                else:
                    deep_merge(match, item)
        else:
            dst[k] = v
    return dst


def json_patch(doc, ops):
    for op in ops:
        path = [p.replace('~1', '/').replace('~0', '~') for p in op['path'].lstrip('/').split('/')]
        parent = doc
        for p in path[:-1]:
            if isinstance(parent, list):
                parent = parent[int(p)]
            else:
                if p not in parent:
                    raise KeyError('doc is missing path: %s' % op['path'])
                parent = parent[p]
        last = path[-1]
        if op['op'] in ('add', 'replace'):
            if op['op'] == 'replace' and last not in parent:
                raise KeyError('doc is missing key: %s' % op['path'])
            parent[last] = op['value']
        elif op['op'] == 'remove':
            del parent[last]
        else:
            raise ValueError('Unexpected kind: %s' % op['op'])
    return doc


def registry_missing(ref):
    """For an image on a registry named by host:port (a site's own): why it cannot be pulled, or None.
    Upstream names (docker.io, registry.k8s.io, no host) are not asked: the tests without a registry run
    offline. A tag of '*' accepts any tag of the repository (kubeadm's own pinned tags per version)."""
    import os, ssl, urllib.request, urllib.error
    name, _, tag = ref.rpartition(':')
    host, _, path = name.partition('/')
    if ':' not in host or not path:
        return None
    # As a runtime would: HTTPS verified by the registry's CA where the host was given one (containerd's
    # certs.d, containers' certs.d), else plain HTTP. A TLS registry without its CA here fails, as it would.
    ca = next((p for p in ('/etc/containerd/certs.d/%s/ca.crt' % host, '/etc/containers/certs.d/%s/ca.crt' % host) if os.path.exists(p)), None)
    url = '%s://%s/v2/%s/tags/list' % ('https' if ca else 'http', host, path)
    try:
        with urllib.request.urlopen(url, timeout=10, context=ssl.create_default_context(cafile=ca) if ca else None) as r:
            tags = (json.loads(r.read().decode() or '{}').get('tags') or [])
    except urllib.error.HTTPError as e:
        return '%s: %s %s' % (ref, e.code, 'manifest unknown' if e.code == 404 else e.reason)
    except OSError as e:
        return '%s: dial tcp %s: %s' % (ref, host, getattr(e, 'reason', e))
    if tag != '*' and tag not in tags:
        return '%s: manifest unknown' % ref
    if not tags:
        return '%s: manifest unknown' % ref
    return None



# --- KubeEdge before 1.11 (keadm's download model: cloudcore and edgecore as processes with their own files) ---

def own_etc():
    """A test host with an /etc of its own (the harness's `ownDirs` overlay is a mount): KubeEdge's files can be
    where keadm writes them. Elsewhere /etc is the machine's, shared by every test host."""
    return os.path.ismount('/etc')


def kubeedge_dir(side):
    """keadm 1.x's /etc/kubeedge, or a per-host stand-in for it where /etc is shared."""
    if own_etc():
        return '/etc/kubeedge'
    return os.path.join(EDGE_DIR, 'etc-kubeedge') if side == 'edge' else os.path.join(STATE_DIR, 'cloud-etc-kubeedge')


# What flannel's CNI config (10-flannel.conflist: flannel delegating to bridge with host-local, portmap) and the
# runtime's loopback need in the CNI bin folder of an edge node.
FLANNEL_CNI_PLUGINS = ('flannel', 'portmap', 'bridge', 'host-local', 'loopback')
EDGE_KUBE_API = '--kube-api-url=http://127.0.0.1:10550'


def _pod_suffix(node):
    import hashlib
    return hashlib.sha256(node.encode()).hexdigest()[:5]


def _edge_pod_status(state, node, pod_name, containers):
    """kube-flannel-edge on an edge node as KubeEdge 1.6 runs it: flanneld reaches the API through edgecore's
    metaServer (off by default), which serves it only with cloudcore's dynamicController on; its pod network
    needs edged's CNI plugin and the plugins flannel's config calls."""
    running = {'phase': 'Running', 'containerStatuses': [{'name': c, 'ready': True, 'restartCount': 0, 'state': {'running': {'startedAt': now()}}} for c in containers]}
    report = (state.get('edgecore') or {}).get(node)
    cc = state.get('cloudcore') or {}
    if report is None:
        return {'phase': 'Pending', 'reason': 'NodeLost', 'message': 'edgecore on %s has not connected to cloudcore' % node}
    if not report.get('metaServer'):
        why = 'Get "http://127.0.0.1:10550/api/v1/namespaces/kube-system/pods/%s": dial tcp 127.0.0.1:10550: connect: connection refused' % pod_name
    elif not (cc.get('modules') or {}).get('dynamicController'):
        why = 'the server could not find the requested resource (get pods %s)' % pod_name
    else:
        why = None
    if why:
        return {'phase': 'Running', 'containerStatuses': [{'name': c, 'ready': False, 'restartCount': 5, 'state': {'waiting': {
            'reason': 'CrashLoopBackOff', 'message': 'back-off 2m40s restarting failed container=%s pod=%s_kube-system' % (c, pod_name)}},
            'lastState': {'terminated': {'exitCode': 1, 'reason': 'Error', 'message': "Failed to create SubnetManager: error retrieving pod spec for 'kube-system/%s': %s" % (pod_name, why)}}} for c in containers]}
    if report.get('networkPluginName') != 'cni':
        return {'phase': 'Pending', 'containerStatuses': [{'name': c, 'ready': False, 'restartCount': 0, 'state': {'waiting': {
            'reason': 'ContainerCreating', 'message': 'edged on %s runs without a network plugin (networkPluginName is not cni): no pod network' % node}}} for c in containers]}
    missing = [p for p in FLANNEL_CNI_PLUGINS if p not in report.get('cniPlugins', [])]
    if missing:
        return {'phase': 'Pending', 'containerStatuses': [{'name': c, 'ready': False, 'restartCount': 0, 'state': {'waiting': {
            'reason': 'ContainerCreating', 'message': 'networkPlugin cni failed to set up pod "%s_kube-system" network: failed to find plugin "%s" in path [%s]'
            % (pod_name, missing[0], report.get('cniBinDir', '/opt/cni/bin'))}}} for c in containers]}
    return running


def daemonset_pods(state):
    """The pods of a DaemonSet applied with kubectl (state['objects']) whose flanneld talks to the API through
    edgecore's metaServer (kube-flannel-edge): one per node its nodeSelector matches, in the edge node's state."""
    pods = []
    for ds in state.get('objects', []):
        if ds.get('kind') != 'DaemonSet':
            continue
        tmpl = (ds.get('spec') or {}).get('template') or {}
        spec = tmpl.get('spec') or {}
        selector = spec.get('nodeSelector') or {}
        containers = spec.get('containers') or []
        via_meta = any(EDGE_KUBE_API in (c.get('command') or []) + (c.get('args') or []) for c in containers)
        if not via_meta:
            # Other applied DaemonSets keep the fake's older model (no pods of their own).
            continue
        for n in state['nodes']:
            labels = n['metadata']['labels']
            if any(labels.get(a) != b for a, b in selector.items()):
                continue
            name = '%s-%s' % (ds['metadata']['name'], _pod_suffix(n['metadata']['name']))
            names = [c.get('name', 'main') for c in containers]
            status = _edge_pod_status(state, n['metadata']['name'], name, names)
            pods.append({'apiVersion': 'v1', 'kind': 'Pod',
                         'metadata': {'name': name, 'namespace': ds['metadata'].get('namespace', 'default'), 'labels': dict(tmpl.get('metadata', {}).get('labels') or {}),
                                      'ownerReferences': [{'kind': 'DaemonSet', 'name': ds['metadata']['name']}]},
                         'spec': {'nodeName': n['metadata']['name']}, 'status': status})
    return pods
