import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INIT_PHASES, KubeadmParser, parseJoinCommand } from '../../../core/tools/kubeadm/parser.js';
import { KeadmInitParser, KeadmJoinParser, klogText, parseGettoken } from '../../../core/tools/kubeedge/parser.js';

const fixture = (tool: string, name: string) => readFileSync(join(__dirname, '..', '..', 'fixtures', tool, name), 'utf8');

function feed<T>(parser: { push(l: string): T | undefined }, text: string): T[] {
  return text.split('\n').flatMap((l) => {
    const p = parser.push(l);
    return p === undefined ? [] : [p];
  });
}

describe('kubeadm init output', () => {
  for (const file of ['init-v1.32.txt', 'init-v1.22.txt']) {
    it(`${file}: every phase, progress never goes back, token handed out, join command kept`, () => {
      const secrets: string[] = [];
      const parser = new KubeadmParser((s) => secrets.push(s));
      const events = feed(parser, fixture('kubeadm', file));
      const phases = new Set(events.map((e) => e.phase));
      for (const p of ['preflight', 'certs', 'kubeconfig', 'etcd', 'control-plane', 'kubelet-start', 'upload-config', 'mark-control-plane', 'bootstrap-token', 'addons']) {
        expect(phases.has(p), p).toBe(true);
      }
      const fractions = events.map((e) => e.fraction);
      expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
      expect(fractions.at(-1)).toBe(1);
      expect(secrets).toEqual(['abcdef.0123456789abcdef']);
      const result = parser.result(0);
      expect(result.succeeded).toBe(true);
      // An exit status the session lost (null) leaves the output to decide; a non-zero one fails.
      expect(parser.result(null).succeeded).toBe(true);
      expect(parser.result(1).succeeded).toBe(false);
      expect(result.token).toBe('abcdef.0123456789abcdef');
      expect(result.joinCommand).toBe(
        'kubeadm join 10.0.0.10:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:7c2e69131a36ae2a042a339b33381c6d0d43887e2de83720eff5359e26aec866',
      );
    });
  }

  it('1.22 warnings are collected; the controlPlaneEndpoint output offers a control-plane join', () => {
    const p22 = new KubeadmParser();
    feed(p22, fixture('kubeadm', 'init-v1.22.txt'));
    expect(p22.result().warnings).toEqual(['SystemVerification: missing optional cgroups: hugetlb']);
    expect(p22.offeredControlPlaneJoin).toBe(false);
    const p32 = new KubeadmParser();
    feed(p32, fixture('kubeadm', 'init-v1.32.txt'));
    expect(p32.offeredControlPlaneJoin).toBe(true);
  });

  it('a failed preflight names the phase and each check', () => {
    const parser = new KubeadmParser();
    feed(parser, fixture('kubeadm', 'init-preflight-fail.txt'));
    const r = parser.result(1);
    expect(r.succeeded).toBe(false);
    expect(r.failedPhase).toBe('preflight');
    expect(r.preflightErrors).toHaveLength(4);
    expect(r.preflightErrors[0]).toBe(
      'FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml: /etc/kubernetes/manifests/kube-apiserver.yaml already exists',
    );
  });

  it('the phase list is in 1.31+ execution order', () => {
    expect(INIT_PHASES.indexOf('etcd')).toBeLessThan(INIT_PHASES.indexOf('kubelet-start'));
  });

  it('parses token create --print-join-command', () => {
    expect(parseJoinCommand(fixture('kubeadm', 'token-create.txt'))).toEqual({
      endpoint: '10.0.0.10:6443',
      token: 'abcdef.0123456789abcdef',
      caCertHashes: ['sha256:7c2e69131a36ae2a042a339b33381c6d0d43887e2de83720eff5359e26aec866'],
      controlPlane: false,
    });
    expect(parseJoinCommand('nothing here')).toBeUndefined();
  });
});

describe('keadm output', () => {
  it('join: numbered klog steps become progress; success at the end', () => {
    const parser = new KeadmJoinParser();
    const events = feed(parser, fixture('keadm', 'join-v1.20.txt'));
    expect(events.map((e) => e.detail)).toContain('Pull Images');
    expect(events.at(-1)).toEqual({ fraction: 1, detail: 'Install Complete!' });
    expect(parser.result(0)).toEqual({ succeeded: true });
  });

  it('join: a failed image pull is the error to show', () => {
    const parser = new KeadmJoinParser();
    feed(parser, fixture('keadm', 'join-fail-pull.txt'));
    const r = parser.result(1);
    expect(r.succeeded).toBe(false);
    expect(r.error).toMatch(/^edge node join failed: pull Images failed: .*no such host$/);
  });

  it('join: a refused token shows the certificate error first', () => {
    const parser = new KeadmJoinParser();
    feed(parser, fixture('keadm', 'join-fail-token.txt'));
    expect(parser.result(1).error).toBe('failed to get CA certificate, err: token credentials are in the wrong format');
  });

  it('init: cloudcore started and the chart deployed; the old model too', () => {
    const helm = new KeadmInitParser();
    expect(feed(helm, fixture('keadm', 'init-v1.20.txt')).at(-1)?.fraction).toBe(1);
    expect(helm.result(0).succeeded).toBe(true);
    expect(helm.chartDeployed).toBe(true);
    const legacy = new KeadmInitParser();
    feed(legacy, fixture('keadm', 'init-v1.4.txt'));
    expect(legacy.result(0).succeeded).toBe(true);
    expect(legacy.chartDeployed).toBe(false);
    const failed = new KeadmInitParser();
    feed(failed, 'Error: failed to install cloudcore: cannot re-use a name that is still in use\n');
    expect(failed.result(1)).toEqual({ succeeded: false, error: 'failed to install cloudcore: cannot re-use a name that is still in use' });
  });

  it('gettoken prints <hex>.<JWT>', () => {
    expect(parseGettoken(fixture('keadm', 'gettoken.txt'))).toMatch(/^[0-9a-f]{64}\.eyJ/);
    expect(parseGettoken('Error: failed to get token\n')).toBeUndefined();
  });

  it('klog headers are stripped', () => {
    expect(klogText('I1125 14:20:10.130457    4321 join.go:94] 3. Create the necessary directories')).toBe('3. Create the necessary directories');
    expect(klogText('plain')).toBe('plain');
  });
});
