// The Jinja evaluator on the expressions Kubespray's variable files really use, and its refusals.
import { describe, expect, it } from 'vitest';
import { compareVersion, evaluate, renderTemplate, TemplateError, UndefinedError, type Scope } from '../../../core/bundle/jinja.js';

function scope(vars: Record<string, unknown>): Scope {
  return {
    has: (n) => n in vars,
    get: (n) => {
      if (!(n in vars)) throw new UndefinedError(n);
      return vars[n];
    },
  };
}

describe('jinja expressions of download.yml', () => {
  const s = scope({
    helm_archive_checksums: { amd64: { '3.17.0': 'sha256:aa', '3.16.4': 'sha256:bb' }, arm64: { '3.16.4': 'sha256:cc' } },
    image_arch: 'arm64',
    kube_version: '1.32.5',
    container_manager: 'crio',
    ansible_system: 'Linux',
    pod_infra_supported_versions: { '1.32': '3.10' },
    calico_version: '3.29.3',
    dns_mode: 'coredns',
  });

  it('takes the first version of a checksum table (dict2items)[0].key, in file order', () => {
    expect(evaluate("(helm_archive_checksums['amd64'] | dict2items)[0].key", s)).toBe('3.17.0');
  });

  it('indexes by variables and names the whole missing path', () => {
    expect(evaluate('helm_archive_checksums[image_arch]["3.16.4"]', s)).toBe('sha256:cc');
    expect(() => evaluate("helm_archive_checksums[image_arch]['3.17.0']", s)).toThrow(UndefinedError);
    try {
      evaluate("helm_archive_checksums[image_arch]['3.17.0']", s);
    } catch (e) {
      expect((e as UndefinedError).variable).toBe('helm_archive_checksums[image_arch]["3.17.0"]');
    }
  });

  it('splits, slices and joins kube_major_version as Kubespray does', () => {
    expect(evaluate("(kube_version | split('.'))[:-1] | join('.')", s)).toBe('1.32');
    expect(evaluate("pod_infra_supported_versions[(kube_version | split('.'))[:-1] | join('.')]", s)).toBe('3.10');
  });

  it('conditions: ==, in, and/or, not, if/else, the version test', () => {
    expect(evaluate("container_manager == 'crio'", s)).toBe(true);
    expect(evaluate("dns_mode in ['coredns', 'coredns_dual'] and not false", s)).toBe(true);
    expect(evaluate("'1.11.3' if (kube_version is version('1.30.5', '>=')) else '1.11.1'", s)).toBe('1.11.3');
    expect(evaluate("calico_version is version('3.22.3', '<')", s)).toBe(false);
    expect(evaluate('undefined_thing | default(None)', s)).toBeNull();
    expect(evaluate('undefined_thing | d(true)', s)).toBe(true);
    expect(evaluate('undefined_thing is defined', s)).toBe(false);
  });

  it('renders templates: text around expressions, filters, raw blocks, if blocks with whitespace control', () => {
    expect(renderTemplate('https://dl.k8s.io/release/v{{ kube_version }}/bin/linux/{{ image_arch }}/kubelet', s)).toBe('https://dl.k8s.io/release/v1.32.5/bin/linux/arm64/kubelet');
    expect(renderTemplate('crictl-{{ ansible_system | lower }}-{{ image_arch }}.tar.gz', s)).toBe('crictl-linux-arm64.tar.gz');
    expect(renderTemplate("{%- if container_manager == 'containerd' -%}nerdctl{%- elif container_manager == 'crio' -%}crictl{%- else -%}x{%- endif -%}", s)).toBe('crictl');
    expect(renderTemplate("{% raw %}{{ .Repository }}{% endraw %}", s)).toBe('{{ .Repository }}');
    // One expression alone gives the value itself, not its text.
    expect(renderTemplate('{{ pod_infra_supported_versions }}', s)).toEqual({ '1.32': '3.10' });
  });

  it('refuses what it does not know, by name, rather than guessing', () => {
    expect(() => evaluate('x | frobnicate', scope({ x: 1 }))).toThrow(/filter 'frobnicate' is not supported/);
    expect(() => evaluate("lookup('file', 'x')", s)).toThrow(TemplateError);
    expect(() => evaluate("'unclosed", s)).toThrow(/unclosed string/);
    expect(() => evaluate("lookup('env', 'CSP_TYPE')", s)).toThrow(UndefinedError);
    expect(evaluate("lookup('env', 'CSP_TYPE') == 'NHN'", scope({ __env__: {} }))).toBe(false);
  });

  it('compares versions numerically', () => {
    expect(compareVersion('1.30.5', '1.9')).toBe(1);
    expect(compareVersion('v1.32.0', '1.32')).toBe(0);
  });
});
