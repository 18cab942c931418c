// security #1: the deployer key step reads exactly one well-formed public key it verified, and keadm's
// --labels cannot be given a second label through a comma.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authorizedKeyLine, checkedKeyLine, keyComment, keyCommand, parsePublicKey, readKeyOutput } from '../../../core/install/deployer-key.js';
import { Plan } from '../../../core/plan/schema.js';
import { keadmJoinArgv, LabelError } from '../../../core/tools/kubeedge/commands.js';

const dir = mkdtempSync(join(tmpdir(), 'deployer-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function realKey(name: string, comment: string): string {
  const f = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', f]);
  return readFileSync(`${f}.pub`, 'utf8');
}

const ours = realKey('ours', 'cp-installer@prod');
const attacker = realKey('attacker', 'attacker@evil');
const D = '--- cp-installer: derived public key';
const P = '--- cp-installer: .pub file';

describe('security #1: one well-formed public key, verified', () => {
  it('reads what ssh-keygen writes', () => {
    expect(parsePublicKey(ours)).toMatchObject({ type: 'ssh-ed25519', comment: 'cp-installer@prod' });
  });

  it.each([
    ['two lines (a newline in the comment)', `${ours.trim()}\n${attacker.trim()}`],
    ['options in front', `command="sh" ${ours}`],
    ['another type', ours.replace('ssh-ed25519', 'ssh-rsa')],
    ['base64 that does not decode to itself', ours.replace(/ AAAA/, ' AAA*')],
    ['a truncated blob', ours.replace(/ (AAAA\S{20})\S+/, ' $1')],
    ['a carriage return', ours.replace(' cp-installer', '\rcp-installer')],
    ['a control character in the comment', ours.replace('cp-installer', 'cp\u0007installer')],
    ['nothing', ''],
  ])('refuses %s', (_what, text) => expect(parsePublicKey(text)).toBeUndefined());

  it('a stale two-line .pub on the deployer is detected, not used', () => {
    const out = `/home/u\n${D}\n${ours}${P}\n${ours}${attacker}`;
    expect(readKeyOutput(out)).toEqual({ ok: false, home: '/home/u', why: 'pub', lines: 2 });
  });

  it('a .pub holding another key than the private one is detected', () => {
    expect(readKeyOutput(`/home/u\n${D}\n${ours}${P}\n${attacker}`)).toMatchObject({ ok: false, why: 'pub', lines: 1 });
  });

  it('the key derived from the private key is the one used; a missing .pub is noted to be written again', () => {
    const r = readKeyOutput(`/home/u\n${D}\n${ours}${P}\n`);
    expect(r).toMatchObject({ ok: true, home: '/home/u', pubMissing: true });
    expect(r.ok && authorizedKeyLine(r.key, 'cp-installer@prod')).toBe(ours.trim());
  });

  it('a derived key that is not one well-formed line is refused', () => {
    expect(readKeyOutput(`/home/u\n${D}\n${ours}${attacker}${P}\n`)).toMatchObject({ ok: false, why: 'derive' });
  });

  it('the ssh-keygen comment never carries plan text that is not a DNS label', () => {
    const plan = (name: string) => Plan.parse({ apiVersion: 'cp-installer/v1', kind: 'Plan', mode: 'standalone', release: 'k-paas-v1.6.2', cluster: { name } });
    expect(keyComment(plan('prod'))).toBe('cp-installer@prod');
    expect(keyCommand(keyComment(plan('prod')))).toContain("-C cp-installer@prod");
    expect(() => keyComment(plan(`x\n${attacker}`))).toThrow(/U\+000A \(newline\)/);
    expect(() => keyComment(plan("x' -C y"))).toThrow(/not a DNS label/);
  });

  it('node-keys appends only one checked key line with the installer’s comment', () => {
    expect(checkedKeyLine(ours.trim())).toBe(ours.trim());
    expect(checkedKeyLine(`${ours.trim()}\n${attacker.trim()}`)).toBeUndefined();
    expect(checkedKeyLine(attacker.trim())).toBeUndefined();
    expect(checkedKeyLine(undefined)).toBeUndefined();
  });
});

describe('security #1: keadm --labels', () => {
  const opts = { kubeedgeVersion: '1.23.0', cloudcoreAddress: '10.0.0.1', nodeName: 'edge-1', runtime: 'containerd' as const };

  it('joins valid labels', () => {
    const argv = keadmJoinArgv({ ...opts, labels: { zone: 'a', 'example.com/rack': '7' } });
    expect(argv.slice(argv.indexOf('--labels'))).toEqual(['--labels', 'zone=a,example.com/rack=7']);
  });

  it.each([
    [{ zone: 'a,node-role.kubernetes.io/control-plane=' }],
    [{ 'zone=x': 'a' }],
    [{ zone: 'a b' }],
    [{ 'a,b': 'c' }],
  ])('refuses %j rather than escaping it', (labels) => {
    expect(() => keadmJoinArgv({ ...opts, labels })).toThrow(LabelError);
  });
});
