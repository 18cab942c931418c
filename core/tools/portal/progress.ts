// deploy-cp-portal.sh's output turned into progress: which component is being installed, which are done,
// which pods it waits for. It reads what the tools print (helm install's NAME/NAMESPACE/STATUS block, helm's
// `Error: INSTALLATION FAILED`, kubectl's `namespace/x created`), the script's own wait lines ("Waiting for
// all pods [app=x] in namespace [ns]...", "Ready: [1/2] app=x", Harbor's "[503] Please wait…"), and the
// lines of the installer's helm wrapper (commands.ts: `cp-installer: helm install …`, `… kept`). Pure.
import { componentByName, componentByNamespace, PORTAL_COMPONENTS } from './components.js';

export type ComponentState = 'pending' | 'installing' | 'installed' | 'kept' | 'failed';

export interface PortalWait {
  namespace?: string;
  selector?: string;
  ready?: number;
  total?: number;
  /** Harbor's API poll: the last HTTP code. */
  httpCode?: string;
}

export interface PortalProgressUpdate {
  fraction: number;
  /** e.g. "Harbor: installing (3/7) — waiting for pods app=harbor in harbor: 2/7 ready". */
  detail: string;
  component?: string;
  state?: ComponentState;
}

export const WRAPPER_INSTALL = /^cp-installer: helm install (\S+) \(namespace (\S+)\)$/;
export const WRAPPER_KEPT = /^cp-installer: helm release (\S+) in (\S+) is already deployed: kept, not reinstalled$/;
export const WRAPPER_REPLACED = /^cp-installer: helm release (\S+) in (\S+) is (\S+): uninstalled, installing again$/;

export class PortalProgress {
  readonly states = new Map<string, ComponentState>(PORTAL_COMPONENTS.map((c) => [c.name, 'pending']));
  current?: string;
  wait?: PortalWait;
  private helmName?: string;
  private helmNamespace?: string;

  private set(name: string | undefined, state: ComponentState): string | undefined {
    if (!name) return undefined;
    const c = componentByName(name) ?? componentByNamespace(name);
    const key = c?.name ?? name;
    const was = this.states.get(key);
    // A component done stays done (a later wait line for it does not make it "installing" again).
    if (state === 'installing' && (was === 'installed' || was === 'kept')) return key;
    this.states.set(key, state);
    if (state === 'installing' || state === 'kept') {
      this.current = key;
      this.wait = undefined;
    }
    return key;
  }

  /** One line of the script's output; an update when it tells something new. */
  feed(raw: string): PortalProgressUpdate | undefined {
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trim();
    let m: RegExpExecArray | null;
    let touched: string | undefined;
    let state: ComponentState | undefined;
    if ((m = WRAPPER_INSTALL.exec(line))) {
      touched = this.set(m[1], (state = 'installing'));
    } else if ((m = WRAPPER_KEPT.exec(line))) {
      touched = this.set(m[1], (state = 'kept'));
    } else if ((m = WRAPPER_REPLACED.exec(line))) {
      touched = this.set(m[1], (state = 'installing'));
    } else if ((m = /^namespace\/(\S+) created$/.exec(line)) && componentByNamespace(m[1]!)) {
      touched = this.set(m[1], (state = 'installing'));
    } else if ((m = /^NAME:\s+(\S+)$/.exec(line))) {
      this.helmName = m[1];
      return undefined;
    } else if ((m = /^NAMESPACE:\s+(\S+)$/.exec(line))) {
      this.helmNamespace = m[1];
      return undefined;
    } else if ((m = /^STATUS:\s+(\S+)$/.exec(line)) && this.helmName) {
      const name = componentByName(this.helmName) ? this.helmName : this.helmNamespace;
      state = m[1] === 'deployed' ? 'installed' : 'failed';
      touched = this.set(name, state);
      this.helmName = this.helmNamespace = undefined;
    } else if (/^Error: (INSTALLATION FAILED|UPGRADE FAILED|cannot re-use a name)/.test(line) && this.current) {
      touched = this.set(this.current, (state = 'failed'));
    } else if ((m = /^Waiting for all pods \[([^\]]*)\] in namespace \[([^\]]*)\]/.exec(line))) {
      if (componentByNamespace(m[2]!) && this.states.get(componentByNamespace(m[2]!)!.name) === 'pending') this.set(m[2], 'installing');
      this.wait = { selector: m[1], namespace: m[2] };
    } else if ((m = /^Ready: \[(\d+)\/(\d+)\] (.*)$/.exec(line))) {
      this.wait = { ...this.wait, ready: Number(m[1]), total: Number(m[2]), selector: m[3] };
    } else if ((m = /^\[NotFound\] No pods found for \[([^\]]*)\]/.exec(line))) {
      this.wait = { ...this.wait, selector: m[1], ready: 0, total: 0 };
    } else if (/^All pods \[[^\]]*\] are ready\.?$/.test(line)) {
      this.wait = undefined;
    } else if ((m = /^\[(\d{3})\] Please wait a few minutes until Harbor is deployed/.exec(line))) {
      this.wait = { namespace: 'harbor', httpCode: m[1] };
    } else {
      return undefined;
    }
    return { ...this.summary(), component: touched, state };
  }

  summary(): { fraction: number; detail: string } {
    const done = [...this.states.values()].filter((s) => s === 'installed' || s === 'kept').length;
    const total = this.states.size;
    const cur = this.current ? componentByName(this.current) : undefined;
    const parts: string[] = [];
    if (cur) parts.push(`${cur.title}: ${this.states.get(cur.name)} (${done}/${total})`);
    else parts.push(`${done}/${total} components`);
    const w = this.wait;
    if (w?.httpCode) parts.push(`waiting for Harbor's API (HTTP ${w.httpCode})`);
    else if (w) parts.push(`waiting for pods${w.selector ? ` ${w.selector}` : ''}${w.namespace ? ` in ${w.namespace}` : ''}${w.total !== undefined ? `: ${w.ready}/${w.total} ready` : ''}`);
    return { fraction: done / total, detail: parts.join(' — ') };
  }
}
