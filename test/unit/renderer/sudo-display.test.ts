import { describe, expect, it } from 'vitest';
import { asSudoLine } from '../../../renderer/lib/sudo-display.js';
import { modulesFix, swapFix } from '../../../core/preflight/fixes.js';

describe('asSudoLine: root commands a person can copy', () => {
  it('writes a root-owned file through sudo tee, not a redirect the shell opens as the person', () => {
    expect(asSudoLine(`printf '%s\\n' 'overlay' 'br_netfilter' > '/etc/modules-load.d/cp-installer.conf'`)).toBe(
      `printf '%s\\n' 'overlay' 'br_netfilter' | sudo tee '/etc/modules-load.d/cp-installer.conf' >/dev/null`,
    );
    expect(asSudoLine('echo x >> /etc/fstab')).toBe('echo x | sudo tee -a /etc/fstab >/dev/null');
  });
  it('runs compound commands under sudo sh -c, and plain ones with sudo', () => {
    expect(asSudoLine('swapoff -a')).toBe('sudo swapoff -a');
    expect(asSudoLine(`if [ -f '/etc/fstab' ]; then cp -p a b; fi`)).toBe(`sudo sh -c 'if [ -f '\\''/etc/fstab'\\'' ]; then cp -p a b; fi'`);
  });
  it('leaves no line of the real fixes that would not run as root when pasted', () => {
    for (const line of [...modulesFix().commands, ...swapFix().commands].map(asSudoLine)) {
      expect(line).toMatch(/^sudo |\| sudo tee /);
      expect(line).not.toMatch(/^sudo (printf|if)\b.*>/);
    }
  });
});
