// The installer-side egress recorder (egress.ts, recordInstallerEgress) for an installer run as a child
// process, e.g. `node --import tsx --import test/hosts/egress-preload.ts cli-entry.ts apply …`. On only when
// CP_TEST_EGRESS_ALLOW names the test network (comma-separated CIDRs); the file CP_TEST_EGRESS_OUT holds `[]`
// from the start (so a test can tell the recorder was loaded) and the attempts as JSON once the process exits.
import { writeFileSync } from 'node:fs';
import { recordInstallerEgress } from './egress.js';

const allow = process.env.CP_TEST_EGRESS_ALLOW;
const out = process.env.CP_TEST_EGRESS_OUT;
if (allow && out) {
  const rec = recordInstallerEgress(allow.split(',').filter(Boolean));
  writeFileSync(out, '[]\n');
  process.on('exit', () => writeFileSync(out, `${JSON.stringify(rec.attempts())}\n`));
}
