// The wizard: header, step rail, the current screen, back/next. Screens read and change the store only.
import { useEffect } from 'react';
import { useStore } from './store/index.js';
import { Footer, Header, StepRail } from './components/chrome.js';
import { NoticeBar } from './components/notice.js';
import { ResumeBanner } from './components/resume-banner.js';
import { ModeScreen } from './screens/mode.js';
import { HostsScreen } from './screens/hosts.js';
import { CredentialsScreen } from './screens/credentials.js';
import { SettingsScreen } from './screens/settings.js';
import { PreflightScreen } from './screens/preflight.js';
import { ReviewScreen } from './screens/review.js';
import { InstallScreen } from './screens/install.js';
import { DoneScreen } from './screens/done.js';
import type { StepId } from './store/wizard.js';

const SCREENS: Record<StepId, () => React.JSX.Element | null> = {
  mode: ModeScreen,
  hosts: HostsScreen,
  credentials: CredentialsScreen,
  settings: SettingsScreen,
  preflight: PreflightScreen,
  review: ReviewScreen,
  install: InstallScreen,
  done: DoneScreen,
};

export function App() {
  const step = useStore((s) => s.step);
  const lang = useStore((s) => s.lang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const Screen = SCREENS[step];
  return (
    <div className="app">
      <Header />
      <div className="app-body">
        <StepRail />
        <main className="screen" data-testid={`screen-${step}`} aria-labelledby="screen-title">
          <ResumeBanner />
          <NoticeBar />
          <Screen />
        </main>
      </div>
      <Footer step={step} />
    </div>
  );
}
