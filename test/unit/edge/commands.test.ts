import { describe, expect, it } from 'vitest';
import { kubeadmInit } from '../../../core/tools/kubeadm/commands.js';
import {
  keadmGeneration,
  keadmGettoken,
  keadmInit,
  keadmJoin,
  keadmJoinArgv,
  keadmJoinCleanup,
  keadmResetEdge,
} from '../../../core/tools/kubeedge/commands.js';

describe('kubeadm command lines', () => {
  it('init from the config file', () => {
    expect(kubeadmInit()).toBe('kubeadm init --config /etc/kubernetes/kubeadm-config.yaml');
    expect(kubeadmInit({ uploadCerts: true, ignorePreflightErrors: ['NumCPU', 'Mem'] })).toBe(
      'kubeadm init --config /etc/kubernetes/kubeadm-config.yaml --upload-certs --ignore-preflight-errors=NumCPU,Mem',
    );
  });
});

describe('keadm init', () => {
  it('1.11+: Helm values, pinned to the node, the control-plane toleration, version as an image tag', () => {
    const cmd = keadmInit({
      kubeedgeVersion: '1.20.0',
      advertiseAddresses: ['203.0.113.5', '10.0.0.10'],
      kubeconfig: '/etc/kubernetes/admin.conf',
      pinToNode: 'cp1',
      tolerateControlPlane: true,
    });
    expect(cmd).toBe(
      'keadm init --advertise-address=203.0.113.5,10.0.0.10 --kubeedge-version v1.20.0 --kube-config /etc/kubernetes/admin.conf' +
        ' --set cloudCore.modules.dynamicController.enable=true' +
        " --set 'cloudCore.nodeSelector.kubernetes\\.io/hostname=cp1'" +
        // [0] is a glob pattern to a shell: quoted
        " --set 'cloudCore.tolerations[0].key=node-role.kubernetes.io/control-plane' --set 'cloudCore.tolerations[0].operator=Exists'" +
        " --set 'cloudCore.tolerations[0].effect=NoSchedule'" +
        " --set 'iptablesManager.tolerations[0].key=node-role.kubernetes.io/control-plane' --set 'iptablesManager.tolerations[0].operator=Exists'" +
        " --set 'iptablesManager.tolerations[0].effect=NoSchedule'",
    );
  });

  it('a private registry: --image-repository from 1.17 plus mosquitto; chart keys before', () => {
    const v20 = keadmInit({ kubeedgeVersion: '1.20.0', advertiseAddresses: ['10.0.0.10'], kubeconfig: '/k', imageRepository: 'reg.local:5000/kubeedge' });
    expect(v20).toContain('--image-repository reg.local:5000/kubeedge');
    // The broker keeps its upstream path in the site registry (docker.io/library/eclipse-mosquitto), as loaded.
    expect(v20).toContain('--set mosquitto.image.repository=reg.local:5000/library/eclipse-mosquitto');
    const v16 = keadmInit({ kubeedgeVersion: '1.16.1', advertiseAddresses: ['10.0.0.10'], kubeconfig: '/k', imageRepository: 'reg.local:5000' });
    expect(v16).not.toContain('--image-repository');
    expect(v16).toContain('--set cloudCore.image.repository=reg.local:5000/cloudcore');
    expect(v16).toContain('--set iptablesManager.image.repository=reg.local:5000/iptables-manager');
  });

  it('before 1.11: the download model with --master and a bare version', () => {
    expect(keadmGeneration('1.4.0')).toBe('legacy');
    expect(keadmGeneration('1.11.0')).toBe('helm');
    expect(
      keadmInit({ kubeedgeVersion: '1.4.0', advertiseAddresses: ['203.0.113.5'], kubeconfig: '/root/.kube/config', master: 'https://10.0.0.10:6443' }),
    ).toBe('keadm init --advertise-address=203.0.113.5 --kubeedge-version 1.4.0 --kube-config /root/.kube/config --master=https://10.0.0.10:6443');
  });

  it('gettoken and reset follow the version', () => {
    expect(keadmGettoken('/etc/kubernetes/admin.conf')).toBe('keadm gettoken --kube-config /etc/kubernetes/admin.conf');
    expect(keadmResetEdge('1.23.1')).toBe('keadm reset edge --force');
    // The platform's keadm 1.20 (roles/cp/edge/reset_edge): `reset edge` exists from 1.17; the bare form there
    // also tears down the cloud's Helm release, which fails on an edge node without a kubeconfig.
    expect(keadmResetEdge('1.20.0')).toBe('keadm reset edge --force');
    expect(keadmResetEdge('1.17.0')).toBe('keadm reset edge --force');
    expect(keadmResetEdge('1.16.3')).toBe('keadm reset --force');
    expect(keadmJoinCleanup('1.23.1', '/var/lib/cp-installer/edge-join-attempted')).toBe(
      "if [ -e /var/lib/cp-installer/edge-join-attempted ] || [ -n \"$(ls -A /etc/kubeedge 2>/dev/null)\" ]; then keadm reset edge --force >/dev/null; fi; mkdir -p /var/lib/cp-installer && touch /var/lib/cp-installer/edge-join-attempted",
    );
  });
});

describe('keadm join', () => {
  const opts = { kubeedgeVersion: '1.20.0', cloudcoreAddress: '203.0.113.5', nodeName: 'edge-1', runtime: 'crio' as const };

  it('1.13+: the CRI endpoint of the runtime and the systemd cgroup driver', () => {
    expect(keadmJoinArgv(opts)).toEqual([
      'keadm', 'join', '--cloudcore-ipport', '203.0.113.5:10000', '--kubeedge-version', 'v1.20.0', '--edgenode-name', 'edge-1',
      '--remote-runtime-endpoint', 'unix:///var/run/crio/crio.sock', '--cgroupdriver', 'systemd',
    ]);
  });

  it('1.11–1.12 spell out --runtimetype remote; the old model too', () => {
    expect(keadmJoinArgv({ ...opts, kubeedgeVersion: '1.12.1' })).toContain('--runtimetype');
    expect(keadmJoinArgv({ ...opts, kubeedgeVersion: '1.4.0', runtime: 'containerd' })).toEqual([
      'keadm', 'join', '--cloudcore-ipport', '203.0.113.5:10000', '--kubeedge-version', '1.4.0', '--edgenode-name', 'edge-1',
      '--runtimetype', 'remote', '--remote-runtime-endpoint', 'unix:///run/containerd/containerd.sock',
    ]);
  });

  it('labels, registry and an IPv6 cloudcore', () => {
    const argv = keadmJoinArgv({ ...opts, cloudcoreAddress: 'fd00::5', imageRepository: 'reg.local:5000/kubeedge', labels: { zone: 'a', rack: '7' } });
    expect(argv).toContain('[fd00::5]:10000');
    expect(argv.slice(-4)).toEqual(['--image-repository', 'reg.local:5000/kubeedge', '--labels', 'zone=a,rack=7']);
  });

  it('reads the token from stdin: the command text never holds it', () => {
    const cmd = keadmJoin(opts);
    expect(cmd.startsWith('IFS= read -r t && [ -n "$t" ] && exec keadm join ')).toBe(true);
    expect(cmd.endsWith(' --token "$t"')).toBe(true);
    expect(keadmJoin(opts, 'keadm reset edge --force')).toMatch(/^IFS= read -r t && \[ -n "\$t" \] && \{ keadm reset edge --force; \} && exec keadm join /);
  });

  it('quotes hostile node names', () => {
    const cmd = keadmJoin({ ...opts, nodeName: "x'; touch /tmp/pwned; '" });
    expect(cmd).toContain(`--edgenode-name 'x'\\''; touch /tmp/pwned; '\\'''`);
  });
});
