// Messages of the API layer itself (transport and service failures), in both languages.
import type { Catalogs } from '../common/messages.js';

export const apiMessages: Catalogs = {
  en: {
    'api.badArgs': 'The installer received a malformed request for {{command}}: {{detail}}',
    'api.badFrame': 'The installer received a message it does not understand.',
    'api.unknownCommand': 'The installer has no command {{command}}.',
    'api.notAvailable': '{{command}} is not available in this version of the installer yet.',
    'api.internal': 'Something went wrong inside the installer: {{detail}}',
    'api.disconnected': 'The connection to the installer was lost. Reload the page once it runs again.',
    'api.timeout': '{{command}} took too long to answer.',
    'api.noSuchHost': 'The plan has no host named {{host}}.',
    'api.noSuchFix': 'There is no fix named {{fixId}}.',
    'api.planInvalid': 'The plan is not valid, so nothing was run and no host was contacted. {{field}}: {{problem}}',
    'api.runNotHere': 'Run {{runId}} is not running in this installer, so it cannot be cancelled from here.',
    'api.noKubeconfig': 'Run {{runId}} has no kubeconfig (it did not get that far).',
    'api.noReport': 'Run {{runId}} has no report yet.',
    'api.forbidden': 'This request did not come from the installer window and was refused.',
    'api.notSignedIn':
      'This page is not signed in to the installer. Open the address `cp-installer serve` printed (it works once, in one tab; reloading that tab keeps working), or press Enter in the terminal where serve runs for a new address.',
    'keychain.unavailable': 'Secrets cannot be remembered here: {{why}}',
    'keychain.basicText':
      'this system has no keyring (Electron reports "basic_text"), so a remembered password would be stored as plain text. Install and unlock a keyring (GNOME Keyring or KWallet) to remember secrets.',
    'keychain.browser': 'browser mode keeps secrets in memory only, for this session.',
    'keychain.noEncryption': 'the operating system offers no encryption for stored secrets.',
    'dialog.browser': 'Browser mode cannot open a file dialog: type the path instead.',
  },
  ko: {
    'api.badArgs': '설치 프로그램이 {{command}}에 대해 잘못된 요청을 받았습니다: {{detail}}',
    'api.badFrame': '설치 프로그램이 이해할 수 없는 메시지를 받았습니다.',
    'api.unknownCommand': '설치 프로그램에 {{command}} 명령이 없습니다.',
    'api.notAvailable': '{{command}} 기능은 이 버전의 설치 프로그램에서 아직 사용할 수 없습니다.',
    'api.internal': '설치 프로그램 내부에서 오류가 발생했습니다: {{detail}}',
    'api.disconnected': '설치 프로그램과의 연결이 끊어졌습니다. 설치 프로그램이 다시 실행되면 페이지를 새로 고치십시오.',
    'api.timeout': '{{command}} 응답이 너무 오래 걸립니다.',
    'api.noSuchHost': '계획에 {{host}} 호스트가 없습니다.',
    'api.noSuchFix': '{{fixId}}라는 이름의 조치가 없습니다.',
    'api.planInvalid': '계획이 올바르지 않아 아무것도 실행하지 않았고 어떤 호스트에도 접속하지 않았습니다. {{field}}: {{problem}}',
    'api.runNotHere': '실행 {{runId}}은(는) 이 설치 프로그램에서 실행 중이 아니므로 여기서 취소할 수 없습니다.',
    'api.noKubeconfig': '실행 {{runId}}에는 kubeconfig가 없습니다(그 단계까지 진행되지 않았습니다).',
    'api.noReport': '실행 {{runId}}에는 아직 보고서가 없습니다.',
    'api.forbidden': '설치 프로그램 창에서 온 요청이 아니므로 거부했습니다.',
    'api.notSignedIn':
      '이 페이지는 설치 프로그램에 로그인되어 있지 않습니다. `cp-installer serve`가 출력한 주소를 여십시오(한 번, 한 탭에서만 쓸 수 있으며 그 탭을 새로 고치는 것은 괜찮습니다). 또는 serve를 실행 중인 터미널에서 Enter를 눌러 새 주소를 받으십시오.',
    'keychain.unavailable': '여기서는 비밀 정보를 기억할 수 없습니다: {{why}}',
    'keychain.basicText':
      '이 시스템에는 키링이 없어(Electron이 "basic_text"로 보고) 기억한 비밀번호가 평문으로 저장됩니다. 비밀 정보를 기억하려면 키링(GNOME Keyring 또는 KWallet)을 설치하고 잠금을 해제하십시오.',
    'keychain.browser': '브라우저 모드에서는 비밀 정보를 이 세션 동안 메모리에만 보관합니다.',
    'keychain.noEncryption': '운영 체제가 저장된 비밀 정보의 암호화를 제공하지 않습니다.',
    'dialog.browser': '브라우저 모드에서는 파일 대화 상자를 열 수 없습니다. 경로를 직접 입력하십시오.',
  },
};
