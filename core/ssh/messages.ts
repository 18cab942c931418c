// What each SSH failure means to a person, in English and Korean: what happened, on which host, what to do.
// Params: host (the plan's host name, or the jump host whose key it is), detail (the technical cause, as the
// error says it), fingerprint, expected (the fingerprint known_hosts has), entry (the known_hosts host field
// it is filed under), file (the known_hosts file), via (for a jump host: the plan host it leads to).
import type { Catalogs, Message } from '../common/messages.js';
import { SshError, type SshErrorKind } from './types.js';

export const sshMessages: Catalogs = {
  en: {
    'ssh.auth':
      '{{host}}: login refused ({{detail}}). Check the user name and the password, key or ssh-agent of this host’s auth profile, and that the key is in the user’s ~/.ssh/authorized_keys.',
    'ssh.key-file':
      '{{host}}: the private key cannot be used ({{detail}}). Check the key file path, its permissions, and the passphrase.',
    'ssh.unreachable':
      '{{host}}: cannot reach the SSH server ({{detail}}). Check the address and port, that the host is up and sshd runs, and that no firewall blocks the port.',
    'ssh.timeout':
      '{{host}}: no answer in time ({{detail}}). The host may be down or overloaded, or a firewall drops the traffic; try again or raise the timeout.',
    'ssh.host-key-unknown':
      '{{host}}: the host key is not known yet. Its fingerprint is {{fingerprint}}. Compare it with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the host, then accept it.',
    'ssh.host-key-changed':
      '{{host}}: WARNING — the host key has CHANGED (now {{fingerprint}}, known as {{expected}} under {{entry}}). Someone may be intercepting the connection, or the host was reinstalled. Nothing was sent. If you know the host was reinstalled, check the new fingerprint on the host (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`), remove the old key with `ssh-keygen -R {{entry}} -f {{file}}`, and connect again to accept the new one. No option of the installer skips this check.',
    'ssh.host-key-unknown.jump':
      '{{host}} (the jump host on the way to {{via}}): its host key is not known yet. Its fingerprint is {{fingerprint}}. Compare it with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on {{host}}, then accept it.',
    'ssh.host-key-changed.jump':
      '{{host}} (the jump host on the way to {{via}}): WARNING — its host key has CHANGED (now {{fingerprint}}, known as {{expected}} under {{entry}}). Someone may be intercepting the connection, or the jump host was reinstalled. Nothing was sent. If you know it was reinstalled, check the new fingerprint on {{host}}, remove the old key with `ssh-keygen -R {{entry}} -f {{file}}`, and connect again.',
    'ssh.plan-invalid':
      'Not connecting to any host ({{host}}): {{detail}}. Run `cp-installer validate` on the plan, correct what it names, and try again.',
    'ssh.proxyjump-loop':
      '{{host}}: the ProxyJump settings in ~/.ssh/config form a loop ({{detail}}), so the connection could never be made. Change the ProxyJump of one of these hosts (for a jump host matched by `Host *`, write `Host * !<jump host>`).',
    'ssh.sudo':
      '{{host}}: sudo did not allow the command ({{detail}}). Give the user sudo rights (NOPASSWD, or set the sudo password in the auth profile), or log in as a user who has them.',
    'ssh.cancelled': '{{host}}: cancelled; the remote command was stopped.',
    'ssh.protocol': '{{host}}: SSH failed ({{detail}}).',
  },
  ko: {
    'ssh.auth':
      '{{host}}: 로그인이 거부되었습니다 ({{detail}}). 이 호스트 인증 프로필의 사용자 이름과 비밀번호, 키 또는 ssh-agent를 확인하고, 키가 사용자의 ~/.ssh/authorized_keys에 있는지 확인하세요.',
    'ssh.key-file':
      '{{host}}: 개인 키를 사용할 수 없습니다 ({{detail}}). 키 파일 경로와 권한, 암호 문구(passphrase)를 확인하세요.',
    'ssh.unreachable':
      '{{host}}: SSH 서버에 연결할 수 없습니다 ({{detail}}). 주소와 포트, 호스트가 켜져 있고 sshd가 실행 중인지, 방화벽이 포트를 막고 있지 않은지 확인하세요.',
    'ssh.timeout':
      '{{host}}: 제한 시간 안에 응답이 없습니다 ({{detail}}). 호스트가 꺼져 있거나 과부하 상태이거나 방화벽이 트래픽을 버리고 있을 수 있습니다. 다시 시도하거나 제한 시간을 늘리세요.',
    'ssh.host-key-unknown':
      '{{host}}: 아직 알려지지 않은 호스트 키입니다. 지문(fingerprint)은 {{fingerprint}}입니다. 호스트에서 `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` 결과와 비교한 뒤 수락하세요.',
    'ssh.host-key-changed':
      '{{host}}: 경고 — 호스트 키가 변경되었습니다 (현재 {{fingerprint}}, {{entry}}에 알려진 키 {{expected}}). 누군가 연결을 가로채고 있거나 호스트가 재설치되었을 수 있습니다. 아무것도 전송하지 않았습니다. 호스트가 재설치된 것이 확실하면 호스트에서 새 지문을 확인하고(`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`), `ssh-keygen -R {{entry}} -f {{file}}`로 이전 키를 지운 뒤 다시 연결해 새 키를 수락하세요. 설치 프로그램의 어떤 옵션으로도 이 검사를 건너뛸 수 없습니다.',
    'ssh.host-key-unknown.jump':
      '{{host}} ({{via}}(으)로 가는 점프 호스트): 아직 알려지지 않은 호스트 키입니다. 지문(fingerprint)은 {{fingerprint}}입니다. {{host}}에서 `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` 결과와 비교한 뒤 수락하세요.',
    'ssh.host-key-changed.jump':
      '{{host}} ({{via}}(으)로 가는 점프 호스트): 경고 — 호스트 키가 변경되었습니다 (현재 {{fingerprint}}, {{entry}}에 알려진 키 {{expected}}). 누군가 연결을 가로채고 있거나 점프 호스트가 재설치되었을 수 있습니다. 아무것도 전송하지 않았습니다. 재설치된 것이 확실하면 {{host}}에서 새 지문을 확인하고 `ssh-keygen -R {{entry}} -f {{file}}`로 이전 키를 지운 뒤 다시 연결하세요.',
    'ssh.plan-invalid':
      '어떤 호스트에도 연결하지 않습니다({{host}}): {{detail}}. 플랜에 `cp-installer validate`를 실행해 지적된 곳을 고친 뒤 다시 시도하세요.',
    'ssh.proxyjump-loop':
      '{{host}}: ~/.ssh/config의 ProxyJump 설정이 순환합니다({{detail}}). 이대로는 연결할 수 없습니다. 이 호스트들 중 하나의 ProxyJump를 바꾸세요(`Host *`에 걸리는 점프 호스트라면 `Host * !<점프 호스트>`로 쓰세요).',
    'ssh.sudo':
      '{{host}}: sudo가 명령을 허용하지 않았습니다 ({{detail}}). 사용자에게 sudo 권한(NOPASSWD, 또는 인증 프로필에 sudo 비밀번호 설정)을 주거나 권한이 있는 사용자로 로그인하세요.',
    'ssh.cancelled': '{{host}}: 취소되었습니다. 원격 명령을 중지했습니다.',
    'ssh.protocol': '{{host}}: SSH 오류가 발생했습니다 ({{detail}}).',
  },
};

export const SSH_ERROR_KINDS: readonly SshErrorKind[] = [
  'auth',
  'key-file',
  'unreachable',
  'timeout',
  'host-key-unknown',
  'host-key-changed',
  'sudo',
  'cancelled',
  'protocol',
  'plan-invalid',
  'proxyjump-loop',
];

/** The message for an SshError: key `ssh.<kind>` with the host, the cause, fingerprints and known_hosts file. */
export function sshErrorMessage(e: SshError, knownHostsFile = '~/.ssh/known_hosts'): Message {
  return e.toMessage(knownHostsFile);
}
