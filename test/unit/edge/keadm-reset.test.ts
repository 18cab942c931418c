// The edge side's `keadm reset` as the product writes it, run against the strict fake keadm of each KubeEdge
// version (test/fakes/keadm, modelled on keadm's reset sources): 1.17 split reset into `reset edge` and
// `reset cloud`; until 1.22 the bare form still runs but on an edge node also tears down the cloud's Helm
// release through a kubeconfig the node lacks, and fails before cleaning up; 1.22 drops the bare form.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { keadmResetEdge } from '../../../core/tools/kubeedge/commands.js';

const FAKES = fileURLToPath(new URL('../../fakes/', import.meta.url));
const root = process.getuid?.() === 0;
const python = spawnSync('sh', ['-c', 'command -v python3']).status === 0;
const dirs: string[] = [];

/** A folder holding the fake keadm for `kubeedge`, and an edge node's state: a join that left edgecore running. */
function edgeNode(kubeedge: string): { bin: string; state: string; run: (cmd: string) => { code: number | null; out: string } } {
  const dir = mkdtempSync(join(tmpdir(), 'keadm-reset-'));
  dirs.push(dir);
  const bin = join(dir, 'bin');
  mkdirSync(join(bin, '.fakes'), { recursive: true });
  for (const f of ['keadm', 'fakek8s.py']) copyFileSync(join(FAKES, f), join(bin, f));
  spawnSync('chmod', ['755', join(bin, 'keadm')]);
  writeFileSync(join(bin, '.fakes', 'versions.json'), JSON.stringify({ kubeedge: kubeedge, kubernetes: '1.32.5' }));
  const state = join(dir, 'state');
  mkdirSync(join(state, 'edge', 'etc-kubeedge', 'config'), { recursive: true });
  writeFileSync(join(state, 'edge', 'etc-kubeedge', 'config', 'edgecore.yaml'), '{}');
  writeFileSync(join(state, 'edge', 'edgecore.running'), '');
  return {
    bin,
    state,
    run: (cmd) => {
      const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_K8S_STATE: state, HOME: dir } });
      return { code: r.status, out: `${r.stdout}${r.stderr}` };
    },
  };
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Each case starts the fake (a Python process) several times: seconds under the load of a shared machine.
describe.skipIf(!root || !python)('keadm reset on an edge node, per KubeEdge version', { timeout: 60_000 }, () => {
  it('1.20 (the platform\'s): the bare form fails on an edge node and leaves its folders; the product\'s `reset edge --force` cleans up', () => {
    const old = edgeNode('1.20.0');
    const bare = old.run('keadm reset --force');
    expect(bare.code).not.toBe(0);
    expect(bare.out).toContain('TearDown failed');
    expect(existsSync(join(old.state, 'edge', 'etc-kubeedge'))).toBe(true);

    const node = edgeNode('1.20.0');
    expect(keadmResetEdge('1.20.0')).toBe('keadm reset edge --force');
    const r = node.run(keadmResetEdge('1.20.0'));
    expect(r.code, r.out).toBe(0);
    expect(existsSync(join(node.state, 'edge'))).toBe(false);
  });

  it('1.23: only `reset edge`; 1.16: only the bare form, which cleans the edge side', () => {
    const n23 = edgeNode('1.23.1');
    expect(n23.run('keadm reset --force').code).not.toBe(0);
    expect(n23.run(keadmResetEdge('1.23.1')).code).toBe(0);
    expect(existsSync(join(n23.state, 'edge'))).toBe(false);

    const n16 = edgeNode('1.16.3');
    expect(keadmResetEdge('1.16.3')).toBe('keadm reset --force');
    expect(n16.run(keadmResetEdge('1.16.3')).code).toBe(0);
    expect(existsSync(join(n16.state, 'edge'))).toBe(false);
  });

  it('the fake refuses what keadm refuses: a flag of another subcommand, an unknown subcommand, no --force without a terminal', () => {
    const n = edgeNode('1.20.0');
    expect(n.run('keadm reset edge --force --kube-config /x').out).toContain('unknown flag: --kube-config');
    expect(n.run('keadm reset node --force').out).toContain('unknown command "node"');
    expect(n.run('keadm reset edge </dev/null').code).not.toBe(0);
    expect(existsSync(join(n.state, 'edge', 'etc-kubeedge'))).toBe(true);
  });
});
