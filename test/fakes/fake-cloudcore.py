#!/usr/bin/python3
# A stand-in for cloudcore (test only), started by the fake `keadm init` on the host its pod was scheduled to.
# :10002 answers a join's certificate request (token and the address dialled are checked, as cloudcore's
# token and certificate SANs would), :10000 registers the edge node in the fake cluster the way edgecore's
# first connection makes the Node appear (Ready, roles agent,edge, the vendored kubelet version).
# It stops on SIGTERM (keadm reset cloud, test cleanup) or after 15 idle minutes, so nothing outlives a test.
import json, os, socketserver, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
sys.path.insert(0, '/usr/local/bin')
import fakek8s as k

IDLE = float(os.environ.get('FAKE_CLOUDCORE_IDLE', '900'))
last = [time.time()]


def edge_kubelet(version):
    table = k.versions().get('edgeKubelet')
    if table:
        return table
    return {(1, 4): '1.18.6', (1, 6): '1.19.3', (1, 20): '1.30.7', (1, 23): '1.32.10'}.get(k.vtuple(version), '1.30.7')


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        last[0] = time.time()
        try:
            req = json.loads(self.rfile.readline() or b'{}')
        except ValueError:
            return self.reply({'error': 'bad request'})
        port = self.server.server_address[1]
        if not req or port not in (10000, 10002):
            # A port probe (connect, close) or the stream/tunnel ports: nothing to answer.
            return
        state = k.load() or {}
        cc = state.get('cloudcore')
        if not cc:
            return self.reply({'error': 'cloudcore is not installed'})
        if port == 10002:
            if req.get('dialed') not in cc['advertise']:
                return self.reply({'error': 'Get "https://%s:10002/ca.crt": tls: failed to verify certificate: x509: certificate is '
                                            'valid for %s, not %s' % (req.get('dialed'), ', '.join(cc['advertise']), req.get('dialed'))})
            if not req.get('token') or req['token'].count('.') != 3:
                return self.reply({'error': 'token credentials are in the wrong format'})
            if req['token'] != cc['token']:
                return self.reply({'error': 'failed to get CA certificate, err: Unauthorized'})
            return self.reply({'ok': True})
        name, ip = req.get('node'), req.get('ip')
        if 'report' in req:
            # edgecore's connection: what the node runs with (fake-edgecore.py).
            def record(s):
                s.setdefault('edgecore', {})[name] = req['report']
            k.update(record)
            return self.reply({'ok': True})

        def register(s):
            for n in s['nodes']:
                if n['metadata']['name'] == name:
                    addr = next((a['address'] for a in n['status']['addresses'] if a['type'] == 'InternalIP'), None)
                    if addr != ip:
                        return 'node name %s already exists with address %s' % (name, addr)
                    s['nodes'].remove(n)
                    break
            version = req.get('version', 'v1.20.0')
            n = k.node(name, ip, ['agent', 'edge'], 'v%s-kubeedge-%s' % (edge_kubelet(version), version), True)
            n['metadata']['labels'].update(req.get('labels') or {})
            s['nodes'].append(n)
            return None
        err = k.update(register)
        self.reply({'error': err} if err else {'ok': True})

    def reply(self, obj):
        self.wfile.write((json.dumps(obj) + '\n').encode())


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 256


def legacy_config():
    """KubeEdge before 1.11 runs cloudcore from /etc/kubeedge/config/cloudcore.yaml (keadm init writes it): read as
    cloudcore reads it; with cloudStream on, its stream certificates must be there (cloudcore exits otherwise) and
    it listens on the stream and tunnel ports too. Returns the extra ports."""
    import yaml
    path = os.path.join(k.kubeedge_dir('cloud'), 'config', 'cloudcore.yaml')
    try:
        with open(path) as f:
            cfg = yaml.safe_load(f) or {}
    except OSError as e:
        k.die('F%s  cloudcore failed: failed to load cloudcore config %s: %s' % (os.getpid(), path, e.strerror))
    except yaml.YAMLError as e:
        k.die('F%s  cloudcore failed: error converting YAML to JSON: %s' % (os.getpid(), str(e).splitlines()[0]))
    m = (cfg or {}).get('modules') or {}
    stream = m.get('cloudStream') or {}
    dynamic = bool((m.get('dynamicController') or {}).get('enable'))
    ports = []
    if stream.get('enable'):
        for key in ('tlsStreamCAFile', 'tlsStreamCertFile', 'tlsStreamPrivateKeyFile'):
            if not stream.get(key) or not os.access(stream[key], os.R_OK):
                k.die('F%s  cloudstream: failed to load %s %s: open %s: no such file or directory' % (os.getpid(), key, stream.get(key), stream.get(key)))
        ports = [int(stream.get('streamPort', 10003)), int(stream.get('tunnelPort', 10004))]

    def record(s):
        if s and s.get('cloudcore'):
            s['cloudcore']['modules'] = {'dynamicController': dynamic, 'cloudStream': bool(stream.get('enable'))}
    k.update(record)
    return ports


def main():
    extra = legacy_config() if k.vtuple(k.versions().get('kubeedge', '1.20.0')) < (1, 11) else []
    servers = [Server(('0.0.0.0', p), Handler) for p in (10000, 10002, *extra)]
    with open(os.path.join(k.STATE_DIR, 'cloudcore.pid'), 'w') as f:
        f.write(str(os.getpid()))
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    while time.time() - last[0] < IDLE:
        time.sleep(1)
    for s in servers:
        s.shutdown()


main()
