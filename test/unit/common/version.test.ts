// The one version comparison: every layer reads a leading `v`, distro suffixes and release candidates alike.
import { describe, expect, it } from 'vitest';
import { atLeast, atLeastMinor, compareMinor, compareVersions, parseVersion } from '../../../core/common/version.js';
import { compareVersions as preflightCompare, atLeast as preflightAtLeast } from '../../../core/preflight/checks/context.js';
import { compareVersions as treeCompare } from '../../../core/install/tree.js';
import { kubeedgeSupports } from '../../../core/plan/catalog.js';
import { keadmResetEdge } from '../../../core/tools/kubeedge/commands.js';

describe('version comparison', () => {
  it('reads a leading v, missing parts and distro or build suffixes', () => {
    expect(parseVersion('v1.30.7-kubeedge-v1.20.0').version).toBe('1.30.7');
    expect(parseVersion('5.15.0-91-generic').version).toBe('5.15.0');
    expect(parseVersion('1.32').version).toBe('1.32.0');
    expect(parseVersion('ansible-playbook [core 2.16.14]').version).toBe('2.16.14');
    expect(parseVersion('no version here').version).toBe('0.0.0');
    expect(compareVersions('1.9', '1.30')).toBeLessThan(0);
    expect(compareVersions('v1.30.0', '1.30')).toBe(0);
  });

  it('sorts a release candidate before its release, in every spelling', () => {
    for (const rc of ['1.20.0-rc.1', 'v1.20.0-rc1', '1.20.0rc1', '1.20-beta.0', '1.20.0-alpha']) {
      expect(compareVersions(rc, '1.20.0'), rc).toBeLessThan(0);
      expect(atLeast(rc, '1.20'), rc).toBe(false);
      expect(atLeast(rc, '1.19.9'), rc).toBe(true);
    }
    expect(compareVersions('1.20.0-rc.2', '1.20.0-rc.10')).toBeLessThan(0);
  });

  it('compares major.minor only where flags and APIs change per minor release', () => {
    expect(compareMinor('1.22.9', 'v1.22.0')).toBe(0);
    expect(atLeastMinor('1.22.0-rc.1', '1.22')).toBe(true);
    expect(keadmResetEdge('v1.17.0-rc.1')).toBe('keadm reset edge --force');
    expect(keadmResetEdge('1.16.9')).toBe('keadm reset --force');
    expect(kubeedgeSupports('v1.20.0', '1.30.14')).toBe(true);
    expect(kubeedgeSupports('1.20.0', '1.31.0')).toBe(false);
  });

  it('is the same comparison in preflight and in the install tree', () => {
    for (const [a, b] of [['v1.6.0-rc.1', '1.6'], ['4.19.0-25-amd64', '4.19'], ['2.16.14', '2.16.9']] as const) {
      expect(preflightCompare(a, b)).toBe(compareVersions(a, b));
      expect(treeCompare(a, b)).toBe(compareVersions(a, b));
      expect(preflightAtLeast(a, b)).toBe(atLeast(a, b));
    }
  });
});
