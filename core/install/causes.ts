// Reads a failed step's output for a cause a person can act on: "this host cannot reach github.com" instead
// of only "git clone … exited with code 128", with what to do next. Pure: the text in, a message out, so each
// pattern is tested on the lines the real tools print (git, curl, pip, helm, containerd, Ansible's get_url).
import { msg, type Message } from '../common/messages.js';

/** Host names from the text that the patterns below recognise as "could not reach". */
const UNREACHABLE: RegExp[] = [
  // git / curl: "fatal: unable to access 'https://github.com/…': Could not resolve host: github.com"
  /Could not resolve host:\s*([A-Za-z0-9.-]+)/i,
  // curl: "Failed to connect to github.com port 443 after 2 ms: Couldn't connect to server"
  /Failed to connect to\s+([A-Za-z0-9.-]+)\s+port/i,
  // Go (helm, containerd, kubectl): "dial tcp: lookup charts.rook.io on 10.0.0.2:53: no such host"
  /dial tcp:?\s*lookup\s+([A-Za-z0-9.-]+)/i,
  // pip / urllib3: "HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded"
  /ConnectionPool\(host='([A-Za-z0-9.-]+)'/i,
  // Node: "getaddrinfo ENOTFOUND github.com"
  /getaddrinfo\s+E[A-Z]+\s+([A-Za-z0-9.-]+)/,
  // ssh-style: "ssh: Could not resolve hostname github.com: Temporary failure in name resolution"
  /Could not resolve hostname\s+([A-Za-z0-9.-]+)/i,
];

/** Generic "the network is not there" lines; the host then comes from a URL in the text or the command. */
const NO_NETWORK = /(Temporary failure in name resolution|Name or service not known|Network is unreachable|No route to host|Connection timed out|i\/o timeout|urlopen error|Failed to establish a new connection)/i;

const URL_HOST = /\bhttps?:\/\/([A-Za-z0-9.-]+)/;

function firstUrlHost(...texts: Array<string | undefined>): string | undefined {
  for (const t of texts) {
    const m = t ? URL_HOST.exec(t) : null;
    if (m?.[1]) return m[1];
  }
  return undefined;
}

export interface CauseInput {
  /** The host the failing command ran on. */
  host?: string;
  /** The failing command (or its description). */
  command?: string;
  /** The end of its output (stderr first), already redacted. */
  output: string;
}

/**
 * A cause with the next action, or undefined when the output says nothing this module knows. The action for
 * an outside address names both ways out: the offline bundle, or a proxy on that host.
 */
export function diagnose(input: CauseInput): Message | undefined {
  const host = input.host ?? '';
  for (const re of UNREACHABLE) {
    const m = re.exec(input.output);
    if (m?.[1]) return msg('cause.unreachable', { host, target: m[1] });
  }
  if (NO_NETWORK.test(input.output)) {
    const target = firstUrlHost(input.output, input.command);
    if (target) return msg('cause.unreachable', { host, target });
  }
  if (/No space left on device/i.test(input.output)) return msg('cause.disk-full', { host });
  if (/Permission denied \(publickey/i.test(input.output)) return msg('cause.node-key', { host });
  if (/a password is required|sudo: .*incorrect password|sudo: no tty present/i.test(input.output)) return msg('cause.sudo', { host });
  return undefined;
}
