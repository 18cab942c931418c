// What a dry run shows for a host's home folder, which only a real login can tell: the login user's usual
// home (`/root` for root, else `/home/<user>`), so `--private-key=…` reads like the real command, not
// `/home/user/…`.
import { loginUser, type Host, type Plan } from '../plan/schema.js';

export function likelyHome(plan: Plan, host: Host): string {
  const user = loginUser(plan, host);
  return user === 'root' ? '/root' : `/home/${user}`;
}
