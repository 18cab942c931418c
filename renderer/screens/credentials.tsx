// Credentials: auth profiles (password / key + passphrase / agent), jump host, sudo; secrets stay in memory
// and go to the engine through secrets.set. "Test connection" per host or for all, with host-key decisions.
import { useId } from 'react';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { CheckField, FieldIssues, SelectField, TextField } from '../components/field.js';
import { HostStatus } from '../components/host-status.js';
import { addAuth, removeAuth, setAuth, type AuthInput } from '../lib/plan-edit.js';
import type { SecretKind } from '../store/secrets.js';

export function CredentialsScreen() {
  const plan = useStore((s) => s.plan);
  const edit = useStore((s) => s.edit);
  const info = useStore((s) => s.info);
  const remember = useStore((s) => s.rememberSecrets);
  const setRemember = useStore((s) => s.setRemember);
  const m = useMsg();
  if (!plan) return null;
  const profiles = plan.auth ?? [];
  return (
    <div>
      <h2 id="screen-title">{m('ui.creds.title')}</h2>
      <p className="lead">{m('ui.creds.lead')}</p>
      <FieldIssues path="auth" />
      <div className="profiles">
        {profiles.map((a, i) => (
          <ProfileCard key={i} index={i} profile={a} profiles={profiles.map((p) => p.name)} onRemove={() => edit((p) => removeAuth(p, i))} />
        ))}
      </div>
      <button type="button" onClick={() => edit(addAuth)} data-testid="auth-add">
        + {m('ui.creds.addProfile')}
      </button>
      <div className="remember">
        {info?.canRememberSecrets ? (
          <CheckField label={m('ui.creds.remember')} checked={remember} onChange={setRemember} help={m('ui.creds.rememberHelp')} testid="secrets-remember" />
        ) : (
          <p className="muted" data-testid="secrets-no-keychain">
            {/* Why, in words (core's `keychain.*` messages are clauses: the first letter is raised here). */}
            {info?.whyNoKeychain ? capitalize(m(info.whyNoKeychain)) : m('ui.creds.memoryOnly')}
          </p>
        )}
      </div>
      <ConnectionTable />
    </div>
  );
}

function ProfileCard({ index: i, profile: a, profiles, onRemove }: { index: number; profile: AuthInput; profiles: string[]; onRemove(): void }) {
  const edit = useStore((s) => s.edit);
  const m = useMsg();
  const p = (patch: Partial<AuthInput>) => edit((plan) => setAuth(plan, i, patch));
  const base = `auth[${i}]`;
  const jump = a.jumpHost;
  return (
    <section className="panel profile" data-testid={`auth-${i}`}>
      <div className="profile-head">
        <h3>
          {m('ui.creds.profile')} <code>{a.name}</code>
        </h3>
        <button type="button" className="link danger" onClick={onRemove} data-testid={`auth-${i}-remove`}>
          {m('ui.common.remove')}
        </button>
      </div>
      <div className="grid-2">
        <TextField label={m('ui.creds.name')} path={`${base}.name`} value={a.name} onChange={(v) => p({ name: v })} testid={`auth-${i}-name`} help={m('ui.creds.nameHelp')} />
        <TextField label={m('ui.creds.user')} path={`${base}.user`} value={a.user} onChange={(v) => p({ user: v })} testid={`auth-${i}-user`} placeholder="ubuntu" help={m('ui.creds.userHelp')} />
        <SelectField
          label={m('ui.creds.method')}
          path={`${base}.method`}
          value={a.method}
          onChange={(v) => p({ method: v as AuthInput['method'] })}
          testid={`auth-${i}-method`}
          options={(['password', 'key', 'agent'] as const).map((x) => ({ value: x, label: m(`ui.creds.method.${x}`) }))}
          help={m(`ui.creds.method.${a.method}.help`)}
        />
        {a.method === 'password' && <SecretField kind="password" profile={a.name} label={m('ui.creds.password')} testid={`auth-${i}-password`} />}
        {a.method === 'key' && (
          <>
            <TextField label={m('ui.creds.keyPath')} path={`${base}.keyPath`} value={a.keyPath} onChange={(v) => p({ keyPath: v })} testid={`auth-${i}-keyPath`} placeholder="~/.ssh/id_ed25519" help={m('ui.creds.keyPathHelp')} />
            <CheckField label={m('ui.creds.hasPassphrase')} checked={!!a.passphrase} onChange={(v) => p({ passphrase: v })} testid={`auth-${i}-passphrase-toggle`} />
            {a.passphrase && <SecretField kind="passphrase" profile={a.name} label={m('ui.creds.passphrase')} testid={`auth-${i}-passphrase`} />}
          </>
        )}
        <SelectField
          label={m('ui.creds.sudo')}
          path={`${base}.sudo`}
          value={a.sudo ?? 'nopasswd'}
          onChange={(v) => p({ sudo: v as AuthInput['sudo'] })}
          testid={`auth-${i}-sudo`}
          options={(['nopasswd', 'password', 'none'] as const).map((x) => ({ value: x, label: m(`ui.creds.sudo.${x}`) }))}
          help={m('ui.creds.sudoHelp')}
        />
        {a.sudo === 'password' && <SecretField kind="sudoPassword" profile={a.name} label={m('ui.creds.sudoPassword')} testid={`auth-${i}-sudoPassword`} />}
      </div>
      <CheckField
        label={m('ui.creds.useJump')}
        checked={!!jump}
        onChange={(on) => p({ jumpHost: on ? { address: '' } : undefined })}
        testid={`auth-${i}-jump-toggle`}
        help={m('ui.creds.jumpHelp')}
      />
      {jump && (
        <div className="grid-3 nested">
          <TextField label={m('ui.creds.jumpAddress')} path={`${base}.jumpHost.address`} value={jump.address} onChange={(v) => p({ jumpHost: { ...jump, address: v } })} testid={`auth-${i}-jump-address`} placeholder="bastion.example.com" quietUntilBlur />
          <TextField
            label={m('ui.creds.jumpPort')}
            path={`${base}.jumpHost.port`}
            value={jump.port ?? ''}
            type="number"
            onChange={(v) => p({ jumpHost: { ...jump, port: v ? Number(v) : undefined } })}
            testid={`auth-${i}-jump-port`}
            placeholder="22"
          />
          <TextField label={m('ui.creds.jumpUser')} path={`${base}.jumpHost.user`} value={jump.user} onChange={(v) => p({ jumpHost: { ...jump, user: v || undefined } })} testid={`auth-${i}-jump-user`} />
          <SelectField
            label={m('ui.creds.jumpAuth')}
            path={`${base}.jumpHost.auth`}
            value={jump.auth ?? ''}
            onChange={(v) => p({ jumpHost: { ...jump, auth: v || undefined } })}
            testid={`auth-${i}-jump-auth`}
            options={[{ value: '', label: m('ui.creds.sameProfile') }, ...profiles.map((n) => ({ value: n, label: n }))]}
          />
        </div>
      )}
    </section>
  );
}

function SecretField({ kind, profile, label, testid }: { kind: SecretKind; profile: string; label: string; testid: string }) {
  const value = useStore((s) => s.secrets[kind][profile] ?? '');
  const setSecret = useStore((s) => s.setSecret);
  const push = useStore((s) => s.pushSecrets);
  const id = useId();
  const m = useMsg();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="password" value={value} onChange={(e) => setSecret(kind, profile, e.target.value)} onBlur={() => void push()} data-testid={testid} autoComplete="off" />
      <div className="field-help">{m('ui.creds.secretHelp')}</div>
    </div>
  );
}

function ConnectionTable() {
  const plan = useStore((s) => s.plan);
  const test = useStore((s) => s.testConnections);
  const testing = useStore((s) => s.testing.length > 0);
  const validation = useStore((s) => s.validation);
  const goTo = useStore((s) => s.goTo);
  const m = useMsg();
  const hosts = plan?.hosts ?? [];
  // The engine connects only for a plan without errors (core/api/plan-gate.ts): say which fields stop it,
  // and where to fix them, instead of a button that only answers with an error.
  const elsewhere = [...new Set((validation?.errors ?? []).map((e) => e.path).filter((p) => !/^(hosts|auth)(\[|\.|$)/.test(p)))];
  return (
    <section className="panel">
      <div className="profile-head">
        <h3>{m('ui.conn.title')}</h3>
        <button type="button" className="primary" disabled={!hosts.length || testing || elsewhere.length > 0} onClick={() => void test()} data-testid="test-all">
          {m('ui.conn.testAll')}
        </button>
      </div>
      {elsewhere.length > 0 && (
        <p className="warn-text" data-testid="conn-plan-errors">
          {m('ui.conn.planErrors', { fields: elsewhere.slice(0, 4).join(', ') })}{' '}
          <button type="button" className="link" onClick={() => goTo('settings')} data-testid="conn-open-settings">
            {m('ui.conn.openSettings')}
          </button>
        </p>
      )}
      <AcceptAllKeys />
      <table className="conn-table">
        <thead>
          <tr>
            <th scope="col">{m('ui.hosts.col.name')}</th>
            <th scope="col">{m('ui.hosts.col.address')}</th>
            <th scope="col">{m('ui.hosts.col.auth')}</th>
            <th scope="col">{m('ui.hosts.col.status')}</th>
            <th scope="col">
              <span className="sr-only">{m('ui.common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {hosts.map((h, i) => (
            <ConnRow key={i} index={i} name={h.name} address={h.address} auth={h.auth ?? 'default'} onTest={() => void test([h.name])} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ConnRow({ index: i, name, address, auth, onTest }: { index: number; name: string; address: string; auth: string; onTest(): void }) {
  const result = useStore((s) => s.connections[name]);
  const refused = useStore((s) => s.refusedKeys.includes(name));
  const accept = useStore((s) => s.acceptHostKey);
  const refuse = useStore((s) => s.refuseHostKey);
  const m = useMsg();
  const kind = result?.error?.kind;
  return (
    <>
      <tr data-testid={`conn-row-${i}`}>
        <td>{name}</td>
        <td>
          <code>{address}</code>
        </td>
        <td>{auth}</td>
        <td>
          <HostStatus name={name} testid={`conn-${i}-status`} />
        </td>
        <td>
          <button type="button" className="link" onClick={onTest} data-testid={`conn-${i}-test`}>
            {m('ui.conn.test')}
          </button>
        </td>
      </tr>
      {kind === 'host-key-unknown' && result?.fingerprint && (
        <tr className="hostkey-row">
          <td colSpan={5}>
            <div className="hostkey unknown" data-testid={`hostkey-${i}`}>
              <div>
                <strong>{m('ui.hostkey.unknownTitle', { host: name })}</strong>
                <div className="muted">{m('ui.hostkey.unknownHelp')}</div>
                <code className="fingerprint" data-testid={`hostkey-${i}-fingerprint`}>
                  {result.fingerprint}
                </code>
              </div>
              {refused ? (
                <span className="tag fail" data-testid={`hostkey-${i}-refused`}>
                  {m('ui.hostkey.refused')}
                </span>
              ) : (
                <div className="actions">
                  <button type="button" className="primary" onClick={() => void accept(name, result.fingerprint!)} data-testid={`hostkey-${i}-accept`}>
                    {m('ui.hostkey.accept')}
                  </button>
                  <button type="button" onClick={() => refuse(name)} data-testid={`hostkey-${i}-refuse`}>
                    {m('ui.hostkey.refuse')}
                  </button>
                </div>
              )}
            </div>
          </td>
        </tr>
      )}
      {kind === 'host-key-changed' && (
        <tr className="hostkey-row">
          <td colSpan={5}>
            <div className="hostkey changed" role="alert" data-testid={`hostkey-${i}-changed`}>
              <strong>✕ {m('ui.hostkey.changedTitle', { host: name })}</strong>
              <div>{m('ui.hostkey.changedHelp')}</div>
              {result?.fingerprint && <code className="fingerprint">{result.fingerprint}</code>}
            </div>
          </td>
        </tr>
      )}
    </>
  );
}

/** Many new hosts at once: one decision for every unknown key listed (each fingerprint stays shown on its row). */
function AcceptAllKeys() {
  const plan = useStore((s) => s.plan);
  const connections = useStore((s) => s.connections);
  const refused = useStore((s) => s.refusedKeys);
  const accept = useStore((s) => s.acceptHostKeys);
  const m = useMsg();
  const pending = (plan?.hosts ?? [])
    .map((h) => connections[h.name])
    .filter((r): r is NonNullable<typeof r> => !!r && r.error?.kind === 'host-key-unknown' && !!r.fingerprint && !refused.includes(r.name));
  if (pending.length < 2) return null;
  return (
    <div className="hostkey unknown accept-all" data-testid="hostkey-accept-all-box">
      <div>
        <strong>{m('ui.hostkey.manyTitle', { count: pending.length })}</strong>
        <div className="muted">{m('ui.hostkey.manyHelp')}</div>
      </div>
      <button type="button" className="primary" onClick={() => void accept(pending.map((r) => ({ host: r.name, fingerprint: r.fingerprint! })))} data-testid="hostkey-accept-all">
        {m('ui.hostkey.acceptAll', { count: pending.length })}
      </button>
    </div>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
