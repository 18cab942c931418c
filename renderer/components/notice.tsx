import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';

/** The one banner for errors and confirmations of actions; every engine error arrives as {key, params}. */
export function NoticeBar() {
  const notice = useStore((s) => s.notice);
  const dismiss = useStore((s) => s.dismissNotice);
  const m = useMsg();
  if (!notice) return null;
  return (
    <div className={`notice ${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'} data-testid="notice" data-tone={notice.tone}>
      <span>{m(notice)}</span>
      <button type="button" className="link" onClick={dismiss} aria-label={m('ui.common.dismiss')} data-testid="notice-dismiss">
        ×
      </button>
    </div>
  );
}
