// The parser on real ansible-playbook output recorded from the fixture Kubespray tree
// (test/fixtures/ansible/record.sh), plus lines the fixture does not produce (unreachable hosts, Ansible's own
// errors, colour, failed loop items).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AnsibleOutputParser, estimateTasks, parseAnsibleOutput, type ParserEvent } from '../../../core/tools/kubespray/parser.js';

const dir = new URL('../../fixtures/ansible/', import.meta.url);
const recording = (name: string) => readFileSync(new URL(`${name}.stdout`, dir), 'utf8');
const RECORDINGS = ['cluster-success', 'cluster-fail-kubeadm-worker1', 'cluster-fail-download-all'];

describe('AnsibleOutputParser on recorded output', () => {
  it.each(RECORDINGS)('%s: live per-host counts add up to the PLAY RECAP (skipped results are hidden)', (name) => {
    const text = recording(name);
    const live = new AnsibleOutputParser();
    live.write(text.slice(0, text.indexOf('PLAY RECAP')));
    const before = live.snapshot();
    const after = parseAnsibleOutput(text);
    expect(after.recap?.length).toBeGreaterThan(0);
    for (const r of after.recap!) {
      const { host, ...recapCounts } = r;
      expect({ ...before.hosts[host]!, skipped: r.skipped }, host).toEqual(recapCounts);
    }
    expect(after.finished).toBe(true);
    expect(after.progress).toBe(1);
  });

  it('success: no failure, the ignored failure is not one, every host in the recap', () => {
    const s = parseAnsibleOutput(recording('cluster-success'));
    expect(s.failures).toEqual([]);
    expect(s.firstFailure).toBeUndefined();
    expect(s.recap!.map((r) => r.host)).toEqual(['master1', 'worker1', 'worker2']);
    expect(s.recap!.find((r) => r.host === 'master1')!.ignored).toBe(1);
    expect(s.play).toBe('Apply resolv.conf changes now that cluster DNS is up');
  });

  it('a failure on one host: the task, the host and the command\'s stderr come first', () => {
    const s = parseAnsibleOutput(recording('cluster-fail-kubeadm-worker1'));
    expect(s.firstFailure).toMatchObject({
      play: 'Invoke kubeadm and install a CNI',
      task: 'Join to cluster if needed',
      host: 'worker1',
      kind: 'failed',
    });
    expect(s.firstFailure!.message).toMatch(/^error execution phase preflight: .*\n\t\[ERROR Port-10250\]: Port 10250 is in use/);
    expect(s.recap!.find((r) => r.host === 'worker1')!.failed).toBe(1);
  });

  it('a failure on every host: one failure per host, at the same task', () => {
    const s = parseAnsibleOutput(recording('cluster-fail-download-all'));
    expect(s.failures.map((f) => f.host)).toEqual(['master1', 'worker1', 'worker2']);
    expect(new Set(s.failures.map((f) => f.task))).toEqual(new Set(['Download | Check the step']));
    expect(s.firstFailure!.message).toBe('curl: (7) Failed to connect to registry.k8s.io port 443: Connection refused');
  });

  it('gives the same result however the output is cut into chunks', () => {
    for (const name of RECORDINGS) {
      const text = recording(name);
      const whole = parseAnsibleOutput(text);
      let seed = 7;
      const p = new AnsibleOutputParser();
      for (let i = 0; i < text.length; ) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const n = 1 + (seed % 97);
        p.write(text.slice(i, i + n));
        i += n;
      }
      p.end();
      expect(p.snapshot()).toEqual(whole);
    }
  });

  it('reports plays and tasks in order and progress that only grows, reaching 1 at the recap', () => {
    const text = recording('cluster-success');
    const events: ParserEvent[] = [];
    const p = new AnsibleOutputParser({ expectedTasks: 30, onEvent: (e) => events.push(e) });
    let last = 0;
    for (const line of text.split('\n')) {
      p.line(line);
      expect(p.progress).toBeGreaterThanOrEqual(last);
      if (p.progress === 1) expect(p.snapshot().recap).toBeDefined();
      last = p.progress;
    }
    p.end();
    const plays = events.filter((e) => e.type === 'play').map((e) => (e as { name: string }).name);
    const banners = [...text.matchAll(/^PLAY \[(.*)\] \*+$/gm)].map((m) => m[1]);
    expect(plays).toEqual(banners);
    const tasks = events.filter((e) => e.type === 'task');
    expect(tasks.length).toBe([...text.matchAll(/^(TASK|RUNNING HANDLER) \[/gm)].length);
    expect(tasks.filter((e) => e.type === 'task' && e.handler).length).toBe(2);
    expect(events.at(-1)!.type).toBe('recap');
    // The estimate grew with the run: 30 expected, more started.
    expect(p.snapshot().tasksExpected).toBeGreaterThan(30);
    expect(last).toBe(1);
  });

  it('splits role and task name out of the banner', () => {
    const p = new AnsibleOutputParser();
    p.line('TASK [kubernetes/control-plane : Kubeadm | Initialize first control plane node] ***');
    expect(p.snapshot()).toMatchObject({ role: 'kubernetes/control-plane', task: 'Kubeadm | Initialize first control plane node' });
    p.line('TASK [Gather minimal facts] ******************');
    expect(p.snapshot()).toMatchObject({ role: undefined, task: 'Gather minimal facts' });
  });
});

describe('AnsibleOutputParser on lines the fixture does not produce', () => {
  it('an unreachable host', () => {
    const s = parseAnsibleOutput(
      [
        'PLAY [Gather facts] ****',
        'TASK [Gather minimal facts] ****',
        'ok: [node1]',
        'fatal: [node2]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: ssh: connect to host 10.0.0.5 port 22: Connection refused", "unreachable": true}',
        '',
        'PLAY RECAP ****',
        'node1                      : ok=1    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0',
        'node2                      : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0',
        '',
      ].join('\n'),
    );
    expect(s.firstFailure).toEqual({
      play: 'Gather facts',
      task: 'Gather minimal facts',
      host: 'node2',
      kind: 'unreachable',
      message: 'Failed to connect to the host via ssh: ssh: connect to host 10.0.0.5 port 22: Connection refused',
    });
    expect(s.hosts.node2!.unreachable).toBe(1);
  });

  it("Ansible's own error (no host, no recap)", () => {
    const p = new AnsibleOutputParser();
    p.write('ERROR! the playbook: cluster.yml could not be found\n');
    p.end();
    expect(p.failed).toBe(true);
    expect(p.snapshot().firstFailure).toEqual({ kind: 'error', message: 'the playbook: cluster.yml could not be found', play: undefined, task: undefined });
  });

  it('failed loop items: one failed task for the host, the first item\'s message', () => {
    const s = parseAnsibleOutput(
      [
        'TASK [loop fail] ****',
        'changed: [localhost] => (item=1)',
        'failed: [localhost] (item=2) => {"ansible_loop_var": "item", "changed": true, "item": 2, "msg": "non-zero return code", "rc": 1, "stderr": "two is wrong"}',
        'failed: [localhost] (item=3) => {"ansible_loop_var": "item", "changed": true, "item": 3, "msg": "non-zero return code", "rc": 1, "stderr": "three is wrong"}',
        '',
      ].join('\n'),
    );
    expect(s.hosts.localhost).toMatchObject({ ok: 0, changed: 0, failed: 1 });
    expect(s.firstFailure).toMatchObject({ host: 'localhost', item: '2', message: 'two is wrong' });
  });

  it('colour codes, retries and delegation', () => {
    const s = parseAnsibleOutput(
      [
        '\x1b[0;32mok: [node1 -> localhost]\x1b[0m',
        'FAILED - RETRYING: [node1]: Wait for it (3 retries left).',
        '\x1b[0;33mchanged: [node1]\x1b[0m',
      ].join('\n'),
    );
    expect(s.hosts.node1).toMatchObject({ ok: 2, changed: 1, failed: 0 });
  });

  it('keeps at most a bounded part of a huge line and goes on after it', () => {
    const p = new AnsibleOutputParser();
    p.write('TASK [big] ***\nok: [h1] => {"msg": "');
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 64; i++) p.write(chunk); // a 4 MB result line
    p.write('"}\nchanged: [h1]\n');
    p.end();
    expect(p.snapshot().hosts.h1).toMatchObject({ ok: 2, changed: 1 });
  });

  it('keeps only the first failures', () => {
    const p = new AnsibleOutputParser({ maxFailures: 3 });
    for (let i = 0; i < 100; i++) p.line(`fatal: [h${i}]: FAILED! => {"msg": "m${i}"}`);
    p.end();
    expect(p.snapshot().failures.map((f) => f.message)).toEqual(['m0', 'm1', 'm2']);
  });
});

describe('estimateTasks', () => {
  it('follows the recorded recaps per Kubespray version', () => {
    expect(estimateTasks('2.28.0')).toBe(1524);
    expect(estimateTasks('v2.26.0', 'cluster.yml', false)).toBe(752);
    expect(estimateTasks('2.14.2')).toBe(1733);
    expect(estimateTasks('2.28.0', 'scale.yml', false)).toBe(340);
  });
});
