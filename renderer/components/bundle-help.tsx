// What the offline bundle is and the folder layout the installer reads, under the bundle field; and, once a
// path is typed, what is wrong with it (the engine looks at the folder: plan.egress's bundleProblem).
import { useEffect, useState } from 'react';
import type { Message } from '../../core/api/types.js';
import { call } from '../api.js';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';

const LAYOUT = `<bundle>/
  bundle-manifest.json  every artifact with its sha256 (checked on both ends)
  cp-deployment/        the platform's tree: its Kubespray fork and roles/cp/*
  files/                Kubespray's files_repo: kubeadm, kubelet, containerd, crictl …
  images/               container images as OCI archives, loaded into the deployer's registry
  wheels/               *.whl  (pip: Ansible, when the deployer's own is too old)
  charts/               Helm charts
  manifests/            calico-v<version>.yaml  (edge modes)`;

export function BundleHelp() {
  const plan = useStore((s) => s.plan);
  const m = useMsg();
  const path = plan?.bundle?.path;
  const [problem, setProblem] = useState<Message | undefined>();
  useEffect(() => {
    let live = true;
    if (!plan || !path) {
      setProblem(undefined);
      return;
    }
    const t = setTimeout(() => {
      call('plan.egress', { plan }).then(
        (r) => live && setProblem(r.bundleProblem),
        () => live && setProblem(undefined),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [plan, path]);
  return (
    <div className="bundle-help" data-testid="bundle-help">
      {problem && (
        <div className="field-issue error" role="alert" data-testid="bundle-problem">
          {m(problem)}
        </div>
      )}
      <details open={!!path}>
        <summary>{m('ui.set.bundle.what')}</summary>
        <p className="muted">{m('ui.set.bundle.explain')}</p>
        <pre className="layout">{LAYOUT}</pre>
        <p className="muted">{m('ui.set.bundle.registry')}</p>
      </details>
    </div>
  );
}
