// The one reader of secrets for preflight, apply and resume: environment (per profile first), the SSH
// password for sudo, the terminal last; environment copies removed once read.
import { describe, expect, it } from 'vitest';
import { Plan } from '../../../core/plan/schema.js';
import { askYesNo, gatherSecrets } from '../../../cli/terminal.js';

const plan = Plan.parse({
  apiVersion: 'cp-installer/v1',
  kind: 'Plan',
  mode: 'standalone',
  release: 'k-paas-v1.6.2',
  hosts: [
    { name: 'master1', address: '10.0.0.11', roles: ['control-plane', 'deployer'], auth: 'ops' },
    { name: 'edge1', address: '10.0.0.21', roles: ['worker'], auth: 'site-b' },
  ],
  auth: [
    { name: 'ops', method: 'password', user: 'ubuntu', sudo: 'password' },
    { name: 'site-b', method: 'key', keyPath: '/k', passphrase: true, sudo: 'password' },
    { name: 'unused', method: 'password', user: 'x', sudo: 'nopasswd' },
  ],
});

describe('gatherSecrets', () => {
  it('reads per-profile variables before the global ones, falls back to the SSH password for sudo, and clears what it read', async () => {
    const env: NodeJS.ProcessEnv = {
      CP_SSH_PASSWORD_OPS: 'ops-pw',
      CP_SSH_PASSWORD: 'global-pw',
      CP_SSH_PASSPHRASE: 'phrase',
      CP_SUDO_PASSWORD_SITE_B: 'b-sudo',
      OTHER: 'kept',
    };
    const bag = await gatherSecrets(plan, { lang: 'en', env, interactive: false });
    expect(bag.password?.ops?.reveal()).toBe('ops-pw');
    expect(bag.password?.unused).toBeUndefined();
    expect(bag.passphrase?.['site-b']?.reveal()).toBe('phrase');
    expect(bag.sudoPassword?.ops?.reveal()).toBe('ops-pw');
    expect(bag.sudoPassword?.['site-b']?.reveal()).toBe('b-sudo');
    expect(env).toEqual({ OTHER: 'kept' });
    // A Secret never prints its value.
    expect(JSON.stringify(bag)).not.toMatch(/ops-pw|"phrase"|b-sudo/);
  });

  it('asks for what the environment lacks, in the chosen language', async () => {
    const asked: string[] = [];
    const bag = await gatherSecrets(plan, {
      lang: 'ko',
      env: { CP_SSH_PASSWORD: 'pw' },
      interactive: true,
      ask: async (q) => {
        asked.push(q);
        return `answer-${asked.length}`;
      },
    });
    expect(asked).toEqual(['인증 프로필 "site-b"의 키 암호 문구: ', '인증 프로필 "site-b"의 sudo 비밀번호: ']);
    expect(bag.passphrase?.['site-b']?.reveal()).toBe('answer-1');
    expect(bag.sudoPassword?.['site-b']?.reveal()).toBe('answer-2');
  });

  it('without a terminal, names the variables to set instead of waiting', async () => {
    await expect(gatherSecrets(plan, { lang: 'en', env: {}, interactive: false })).rejects.toThrow(
      'SSH password for auth profile "ops": not given (set CP_SSH_PASSWORD_OPS or CP_SSH_PASSWORD)',
    );
  });
});

describe('askYesNo', () => {
  it('is yes only for y / yes (and 예, 네); an empty answer is no', async () => {
    for (const [answer, want] of [['y', true], ['YES', true], [' yes ', true], ['예', true], ['', false], ['n', false], ['yess', false]] as const) {
      expect(await askYesNo('? ', async () => answer)).toBe(want);
    }
  });
});
