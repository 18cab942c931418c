#!/usr/bin/python3
# A stand-in for edgecore of KubeEdge before 1.11 (test only): the fake `keadm join` puts it where keadm puts the
# real one (/usr/local/bin/edgecore) and starts it once; a restart of the edgecore service runs it again. Each
# start reads edgecore.yaml as edgecore does (not YAML, or no edgeHub server: it exits 1 with edgecore's words)
# and, as the real one's connection to cloudHub does, tells cloudcore what the fake cluster needs to know of this
# node: metaServer, edgeStream, edged's network plugin and the CNI plugins on disk. Then it exits; the "daemon"
# is the marker keadm keeps. The shebang is python itself, so the process is named edgecore, as the real one.
import json, os, socket, sys
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
sys.path.insert(0, '/usr/local/bin')
import yaml
import fakek8s as k


# edgecore 1.6's own flags (cmd/edgecore/app/options): anything else is refused as its cobra command does.
FLAGS = ('--config', '--minconfig', '--defaultconfig')


def main():
    path = os.path.join(k.kubeedge_dir('edge'), 'config', 'edgecore.yaml')
    args = sys.argv[1:]
    while args:
        flag, eq, value = args.pop(0).partition('=')
        if flag not in FLAGS:
            k.die('Error: unknown flag: %s\nUsage:\n  edgecore [flags]' % flag)
        if flag != '--config':
            k.die('Error: %s is not what the installer runs edgecore with (the test fake prints no config)' % flag)
        if not eq:
            if not args:
                k.die('Error: flag needs an argument: --config')
            value = args.pop(0)
        path = value
    try:
        with open(path) as f:
            cfg = yaml.safe_load(f) or {}
    except OSError as e:
        k.die('F%s  edgecore failed: failed to load edgecore config %s: %s' % (os.getpid(), path, e.strerror))
    except yaml.YAMLError as e:
        k.die('F%s  edgecore failed: error converting YAML to JSON: %s' % (os.getpid(), str(e).splitlines()[0]))
    if not isinstance(cfg, dict) or not isinstance(cfg.get('modules'), dict):
        k.die('F%s  edgecore failed: config %s has no modules' % (os.getpid(), path))
    m = cfg['modules']
    edged = m.get('edged') or {}
    server = ((m.get('edgeHub') or {}).get('websocket') or {}).get('server')
    if not server:
        k.die('F%s  edgecore failed: modules.edgeHub.websocket.server is empty' % os.getpid())
    cni = edged.get('cniBinDir') or '/opt/cni/bin'
    plugins = sorted(p for p in os.listdir(cni) if os.access(os.path.join(cni, p), os.X_OK)) if os.path.isdir(cni) else []
    report = {
        'metaServer': bool(((m.get('metaManager') or {}).get('metaServer') or {}).get('enable')),
        'edgeStream': bool((m.get('edgeStream') or {}).get('enable')),
        'edgeStreamServer': (m.get('edgeStream') or {}).get('server'),
        'edgeMesh': bool((m.get('edgeMesh') or {}).get('enable')),
        'networkPluginName': edged.get('networkPluginName') or '',
        'clusterDNS': edged.get('clusterDNS') or '',
        'cniBinDir': cni,
        'cniPlugins': plugins,
        'checkEnvironment': os.environ.get('CHECK_EDGECORE_ENVIRONMENT', 'true'),
    }
    host, _, port = server.rpartition(':')
    try:
        with socket.create_connection((host.strip('[]'), int(port)), timeout=10) as s:
            s.sendall((json.dumps({'node': edged.get('hostnameOverride') or socket.gethostname(), 'report': report}) + '\n').encode())
            answer = json.loads(s.makefile().readline() or '{}')
    except OSError as e:
        k.die('E%s  edgehub: failed to connect to cloudHub %s: %s' % (os.getpid(), server, e))
    if answer.get('error'):
        k.die('E%s  edgehub: %s' % (os.getpid(), answer['error']))
    print('edgecore started: metaServer=%s edgeStream=%s networkPlugin=%s' % (report['metaServer'], report['edgeStream'], report['networkPluginName'] or '-'))


main()
