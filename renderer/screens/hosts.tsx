// Hosts: an editable table (name, address, private address, roles, user, auth profile), paste many lines or
// CSV with ranges, import cp-cluster-vars.sh; validation messages sit beside their field.
import { useMemo, useState } from 'react';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { FieldIssues } from '../components/field.js';
import { Modal } from '../components/modal.js';
import { HostStatus } from '../components/host-status.js';
import { OpenTextButton } from '../components/file-buttons.js';
import { ROLE_NAMES, parseHostPaste, type HostInput, type RoleName } from '../lib/host-paste.js';
import { addHosts, nextHostName, removeHost, setHostField, toggleRole } from '../lib/plan-edit.js';
import type { ModeVariantInfo } from '../../core/api/types.js';
import { modeView } from '../store/caas.js';
import { BoshHostsNote } from './caas-settings.js';

/** The roles the mode's descriptor allows (app.info `modes`); every role until the engine has answered. */
export function rolesForMode(mode: ModeVariantInfo | undefined): readonly RoleName[] {
  return mode ? ROLE_NAMES.filter((r) => mode.roles.includes(r)) : ROLE_NAMES;
}

export function HostsScreen() {
  const plan = useStore((s) => s.plan);
  const info = useStore((s) => s.info);
  const edit = useStore((s) => s.edit);
  const validation = useStore((s) => s.validation);
  const testConnections = useStore((s) => s.testConnections);
  const m = useMsg();
  const [paste, setPaste] = useState(false);
  const [vars, setVars] = useState(false);
  if (!plan) return null;
  const hosts = plan.hosts ?? [];
  // The variant the plan is (the 2021 edge once Settings has the BOSH middleware): its roles and hint.
  const modeInfo = modeView({ info, plan });
  const roles = rolesForMode(modeInfo);
  const authNames = [...new Set(['default', ...(plan.auth ?? []).map((a) => a.name)])];
  const listIssues = [...(validation?.errors ?? []), ...(validation?.warnings ?? [])].filter((i) => i.path === 'hosts' || i.path === '');
  const set = <K extends keyof HostInput>(i: number, k: K, v: HostInput[K]) => edit((p) => setHostField(p, i, k, v));

  return (
    <div>
      <h2 id="screen-title">{m('ui.hosts.title')}</h2>
      <p className="lead">{m('ui.hosts.lead')}</p>
      {modeInfo?.hostsHint && <p className="hint" data-testid="hosts-mode-hint">{m(modeInfo.hostsHint)}</p>}
      <BoshHostsNote />
      <div className="toolbar">
        <button type="button" onClick={() => edit((p) => addHosts(p, [{ name: nextHostName(p), address: '', roles: [] }]))} data-testid="host-add">
          + {m('ui.hosts.add')}
        </button>
        <button type="button" onClick={() => setPaste(true)} data-testid="host-paste-open">
          {m('ui.hosts.paste')}
        </button>
        <button type="button" onClick={() => setVars(true)} data-testid="import-vars-open">
          {m('ui.hosts.importVars')}
        </button>
        <span className="spacer" />
        <button type="button" disabled={!hosts.length} onClick={() => void testConnections()} data-testid="hosts-test-all">
          {m('ui.conn.testAll')}
        </button>
      </div>
      {listIssues.length > 0 && (
        <ul className="issue-list" data-testid="hosts-issues">
          {listIssues.map((i, n) => (
            <li key={n} className={i.severity}>
              {m(i)}
            </li>
          ))}
        </ul>
      )}
      <div className="table-wrap">
        <table className="hosts-table" data-testid="hosts-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{m('ui.hosts.col.name')}</th>
              <th scope="col">{m('ui.hosts.col.address')}</th>
              <th scope="col">{m('ui.hosts.col.private')}</th>
              <th scope="col">{m('ui.hosts.col.roles')}</th>
              <th scope="col">{m('ui.hosts.col.user')}</th>
              <th scope="col">{m('ui.hosts.col.auth')}</th>
              <th scope="col">{m('ui.hosts.col.status')}</th>
              <th scope="col">
                <span className="sr-only">{m('ui.common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {hosts.map((h, i) => (
              <tr key={i} data-testid={`host-row-${i}`}>
                <td className="num">{i + 1}</td>
                <td>
                  <input aria-label={`${m('ui.hosts.col.name')} ${i + 1}`} value={h.name} onChange={(e) => set(i, 'name', e.target.value)} data-testid={`host-${i}-name`} spellCheck={false} />
                  <FieldIssues path={`hosts[${i}].name`} />
                </td>
                <td>
                  <input aria-label={`${m('ui.hosts.col.address')} ${i + 1}`} value={h.address} onChange={(e) => set(i, 'address', e.target.value)} data-testid={`host-${i}-address`} placeholder="10.0.0.11" spellCheck={false} />
                  <FieldIssues path={`hosts[${i}].address`} />
                </td>
                <td>
                  <input
                    aria-label={`${m('ui.hosts.col.private')} ${i + 1}`}
                    value={h.privateAddress ?? ''}
                    onChange={(e) => set(i, 'privateAddress', e.target.value)}
                    data-testid={`host-${i}-privateAddress`}
                    placeholder={m('ui.hosts.sameAsAddress')}
                    spellCheck={false}
                  />
                  <FieldIssues path={`hosts[${i}].privateAddress`} />
                </td>
                <td>
                  <div className="chips" role="group" aria-label={`${m('ui.hosts.col.roles')} ${i + 1}`}>
                    {roles.map((r) => {
                      const on = (h.roles ?? []).includes(r);
                      return (
                        <button type="button" key={r} className={`chip ${on ? 'on' : ''}`} aria-pressed={on} onClick={() => edit((p) => toggleRole(p, i, r))} data-testid={`host-${i}-role-${r}`}>
                          {m(`ui.role.${r}`)}
                        </button>
                      );
                    })}
                  </div>
                  <FieldIssues path={`hosts[${i}].roles`} />
                  <FieldIssues path={`hosts[${i}]`} />
                </td>
                <td>
                  <input aria-label={`${m('ui.hosts.col.user')} ${i + 1}`} className="short" value={h.user ?? ''} onChange={(e) => set(i, 'user', e.target.value)} placeholder={m('ui.hosts.fromProfile')} data-testid={`host-${i}-user`} spellCheck={false} />
                  <FieldIssues path={`hosts[${i}].user`} />
                </td>
                <td>
                  <select aria-label={`${m('ui.hosts.col.auth')} ${i + 1}`} value={h.auth ?? 'default'} onChange={(e) => set(i, 'auth', e.target.value)} data-testid={`host-${i}-auth`}>
                    {authNames.map((a) => (
                      <option key={a} value={a}>
                        {a}
                      </option>
                    ))}
                  </select>
                  <FieldIssues path={`hosts[${i}].auth`} />
                </td>
                <td className="status-cell">
                  <HostStatus name={h.name} testid={`host-${i}-status`} />
                  <button type="button" className="link small" disabled={!h.address} onClick={() => void testConnections([h.name])} data-testid={`host-${i}-test`}>
                    {m('ui.conn.test')}
                  </button>
                </td>
                <td>
                  <button type="button" className="icon danger" aria-label={m('ui.hosts.remove', { name: h.name })} title={m('ui.hosts.remove', { name: h.name })} onClick={() => edit((p) => removeHost(p, i))} data-testid={`host-${i}-remove`}>
                    ✕
                  </button>
                </td>
              </tr>
            ))}
            {!hosts.length && (
              <tr>
                <td colSpan={9} className="empty" data-testid="hosts-empty">
                  {m('ui.hosts.empty')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {paste && <PasteDialog onClose={() => setPaste(false)} existing={hosts.length} />}
      {vars && <ImportVarsDialog onClose={() => setVars(false)} />}
    </div>
  );
}

const PREVIEW_ROWS = 50;

function PasteDialog({ onClose, existing }: { onClose(): void; existing: number }) {
  const edit = useStore((s) => s.edit);
  const m = useMsg();
  const [text, setText] = useState('');
  const parsed = useMemo(() => parseHostPaste(text, existing), [text, existing]);
  return (
    <Modal title={m('ui.hosts.paste')} onClose={onClose} testid="host-paste-dialog" wide>
      <p className="muted">{m('ui.hosts.pasteHelp')}</p>
      <label htmlFor="paste-text" className="sr-only">
        {m('ui.hosts.paste')}
      </label>
      <textarea
        id="paste-text"
        rows={8}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={'master-1 10.0.0.11 control-plane etcd\nworker-[1-3] 10.0.0.[21-23] worker\n\nname,address,privateAddress,roles,user\nnode-a,192.168.0.5,10.0.0.5,worker,ubuntu'}
        data-testid="host-paste-text"
        spellCheck={false}
      />
      <div className="paste-preview" data-testid="host-paste-preview">
        {m('ui.hosts.pasteCount', { count: parsed.hosts.length })}
        {parsed.hosts.length > 0 && (
          <div className="paste-table-wrap">
            <table className="paste-table" data-testid="host-paste-table">
              <thead>
                <tr>
                  <th scope="col">{m('ui.hosts.col.name')}</th>
                  <th scope="col">{m('ui.hosts.col.address')}</th>
                  <th scope="col">{m('ui.hosts.col.private')}</th>
                  <th scope="col">{m('ui.hosts.col.roles')}</th>
                  <th scope="col">{m('ui.hosts.col.user')}</th>
                </tr>
              </thead>
              <tbody>
                {parsed.hosts.slice(0, PREVIEW_ROWS).map((h, n) => (
                  <tr key={n} data-testid={`host-paste-row-${n}`}>
                    <td>{h.name}</td>
                    <td>{h.address}</td>
                    <td>{h.privateAddress ?? ''}</td>
                    <td>{(h.roles ?? []).map((r) => m(`ui.role.${r}`)).join(', ')}</td>
                    <td>{h.user ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {parsed.hosts.length > PREVIEW_ROWS && <div className="muted small">{m('ui.hosts.pasteMore', { count: parsed.hosts.length - PREVIEW_ROWS })}</div>}
          </div>
        )}
        {parsed.problems.map((p, n) => (
          <div key={n} className="field-issue error" data-testid="host-paste-problem">
            {m(p.key, p.params)}
          </div>
        ))}
      </div>
      <div className="dialog-actions">
        <button type="button" onClick={onClose} data-testid="host-paste-cancel">
          {m('ui.common.cancel')}
        </button>
        <button
          type="button"
          className="primary"
          disabled={!parsed.hosts.length}
          onClick={() => {
            edit((p) => addHosts(p, parsed.hosts));
            onClose();
          }}
          data-testid="host-paste-apply"
        >
          {m('ui.hosts.pasteAdd', { count: parsed.hosts.length })}
        </button>
      </div>
    </Modal>
  );
}

function ImportVarsDialog({ onClose }: { onClose(): void }) {
  const importVars = useStore((s) => s.importVars);
  const m = useMsg();
  const [cluster, setCluster] = useState('');
  const [edge, setEdge] = useState('');
  return (
    <Modal title={m('ui.hosts.importVars')} onClose={onClose} testid="import-vars-dialog" wide>
      <p className="muted">{m('ui.hosts.importVarsHelp')}</p>
      <div className="field">
        <label htmlFor="vars-cluster">cp-cluster-vars.sh</label>
        <textarea id="vars-cluster" rows={8} value={cluster} onChange={(e) => setCluster(e.target.value)} data-testid="import-vars-text" spellCheck={false} />
        <OpenTextButton label={m('ui.common.openFile')} testid="import-vars-file" onText={(t) => setCluster(t)} accept=".sh,.txt" />
      </div>
      <div className="field">
        <label htmlFor="vars-edge">{m('ui.hosts.edgeVars')}</label>
        <textarea id="vars-edge" rows={3} value={edge} onChange={(e) => setEdge(e.target.value)} data-testid="import-vars-edge" spellCheck={false} />
      </div>
      <p className="warn-text">{m('ui.hosts.importReplaces')}</p>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {m('ui.common.cancel')}
        </button>
        <button
          type="button"
          className="primary"
          disabled={!cluster.trim()}
          onClick={() => {
            void importVars(cluster, edge.trim() || undefined);
            onClose();
          }}
          data-testid="import-vars-apply"
        >
          {m('ui.hosts.importApply')}
        </button>
      </div>
    </Modal>
  );
}
