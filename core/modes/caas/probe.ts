// Whether a host reaches a list of TCP endpoints, from that host (bash's /dev/tcp, 5 s each): the
// container-service NodePorts from the jump box, the registry and MariaDB from every node. Pure: the script
// and the reading of its output.
import { shq } from '../../common/quote.js';

export interface ProbeTarget {
  name: string;
  host: string;
  port: number;
}

export function tcpProbeScript(targets: ProbeTarget[], timeoutSec = 5): string {
  return targets
    .map((t) => `if timeout ${timeoutSec} bash -c ${shq(`exec 3<>/dev/tcp/${t.host}/${t.port}`)} 2>/dev/null; then echo ${shq(`ok ${t.name}`)}; else echo ${shq(`down ${t.name}`)}; fi`)
    .join('; ');
}

/** The targets the output says did not answer (a target missing from the output counts as down). */
export function probeDown(targets: ProbeTarget[], stdout: string): ProbeTarget[] {
  const ok = new Set(stdout.split('\n').filter((l) => l.startsWith('ok ')).map((l) => l.slice(3).trim()));
  return targets.filter((t) => !ok.has(t.name));
}
