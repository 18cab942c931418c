// The portal's uninstall on Done (`portal.uninstall`: the archive's uninstall-cp-portal.sh on master 1),
// behind a dialog that says the guide's warning first: every portal component goes, the data on NFS stays.
// Afterwards the run's outputs list no portal URL, and the screen shows them as the engine now has them.
import { useState } from 'react';
import type { RunOutputs } from '../../core/api/types.js';
import { call } from '../api.js';
import { useMsg } from '../i18n/index.js';
import { useBusyAction } from '../lib/use-busy-action.js';
import { useStore } from '../store/index.js';
import { Modal } from './modal.js';

export function PortalUninstall({ runId }: { runId: string }) {
  const m = useMsg();
  const notify = useStore((s) => s.notify);
  const [confirm, setConfirm] = useState(false);
  const { busy, act } = useBusyAction();
  const uninstall = () =>
    void act('uninstall', async () => {
      const r = await call('portal.uninstall', { runId });
      useStore.setState({ outputs: r.outputs as RunOutputs });
      notify({ key: 'ui.portal.uninstalled', params: { components: r.removed.join(', ') || '-' } });
    });
  return (
    <div className="portal-uninstall" data-testid="portal-uninstall">
      <p className="muted">
        {m('ui.portal.uninstallHint')}{' '}
        <button type="button" className="danger" disabled={busy === 'uninstall'} onClick={() => setConfirm(true)} data-testid="portal-uninstall-open">
          {m(busy === 'uninstall' ? 'ui.portal.uninstalling' : 'ui.portal.uninstall')}
        </button>
      </p>
      {confirm && (
        <Modal title={m('ui.portal.uninstallTitle')} onClose={() => setConfirm(false)} testid="portal-uninstall-dialog">
          <p className="warn-text" data-testid="portal-uninstall-warning">
            {m('cp-portal.uninstall.warning')}
          </p>
          <div className="dialog-actions">
            <button type="button" onClick={() => setConfirm(false)} data-testid="portal-uninstall-keep">
              {m('ui.portal.uninstallKeep')}
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirm(false);
                uninstall();
              }}
              data-testid="portal-uninstall-confirm"
            >
              {m('ui.portal.uninstallConfirm')}
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}
