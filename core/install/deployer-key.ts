// The deployer's SSH key and its place in every node's authorized_keys. What goes into authorized_keys is a
// line this run built itself from a key it verified: the public half derived from the private key on the
// deployer (`ssh-keygen -y`), one line, a known type, base64 that decodes to a blob of that type, and a
// comment of the installer's own. The `.pub` file beside it is only compared, never trusted: a `.pub` with
// more than one line or another key (what a plan with a newline in cluster.name once left there) is refused
// with the way to clean it up, so it cannot come back on a later run.
import { likelyHome } from './dry-home.js';
import { msg } from '../common/messages.js';
import { shellJoin, shq } from '../common/quote.js';
import { describeControl, hasControl, isDnsLabel } from '../plan/charset.js';
import type { Host, Plan } from '../plan/schema.js';
import { StepError, type Step } from './step.js';

export const DEPLOYER_KEY = '.ssh/id_cp_installer';

/** The one key type the installer generates for the deployer. */
const KEY_TYPE = 'ssh-ed25519';
const ED25519_BLOB_LENGTH = 4 + KEY_TYPE.length + 4 + 32;

export interface PublicKey {
  type: string;
  /** Canonical base64 of the blob. */
  base64: string;
  comment: string;
}

/**
 * Parses exactly one OpenSSH public key line of the installer's key type: `ssh-ed25519 <base64> [comment]`.
 * Undefined for anything else: a second line, options in front, another type, base64 that does not decode
 * to the same text, a blob whose type or length is wrong, a comment with control characters.
 */
export function parsePublicKey(text: string): PublicKey | undefined {
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (line.includes('\n') || line.includes('\r')) return undefined;
  const m = /^(ssh-ed25519) ([A-Za-z0-9+/]+={0,2})(?: ([\x21-\x7e][\x20-\x7e]*))?$/.exec(line);
  if (!m) return undefined;
  const [, type, base64, comment = ''] = m;
  const blob = Buffer.from(base64!, 'base64');
  if (blob.toString('base64') !== base64) return undefined;
  if (blob.length !== ED25519_BLOB_LENGTH) return undefined;
  const typeLength = blob.readUInt32BE(0);
  if (blob.subarray(4, 4 + typeLength).toString('latin1') !== type) return undefined;
  if (blob.readUInt32BE(4 + typeLength) !== 32) return undefined;
  return { type: type!, base64: base64!, comment };
}

/**
 * The comment the installer writes: its name and the cluster's. A cluster name that is not a DNS label
 * (validation refuses it first) is refused here too, never written into a key file.
 */
export function keyComment(plan: Plan): string {
  const name = plan.cluster.name;
  if (isDnsLabel(name)) return `cp-installer@${name}`;
  const why = hasControl(name)
    ? `contains a control character, ${describeControl(name)}`
    : 'is not a DNS label';
  throw new StepError(
    msg('install.step-error', {
      message: `cluster.name ${why}: it cannot name the deployer key. Correct it (cp-installer validate) and run again.`,
    }),
    { task: 'deployer-key', message: `cluster.name ${why}` },
    true,
  );
}

/** The authorized_keys line for a verified key, with the installer's comment (never a comment read from a host). */
export function authorizedKeyLine(key: PublicKey, comment: string): string {
  return `${key.type} ${key.base64} ${comment}`;
}

/** A line for authorized_keys only when it is exactly one well-formed key line with the installer's comment. */
export function checkedKeyLine(line: unknown): string | undefined {
  if (typeof line !== 'string') return undefined;
  const key = parsePublicKey(line);
  if (!key || !/^cp-installer(@[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$/.test(key.comment)) return undefined;
  return authorizedKeyLine(key, key.comment);
}

const DERIVED = '--- cp-installer: derived public key';
const PUB = '--- cp-installer: .pub file';

export type KeyReading =
  | { ok: true; home: string; key: PublicKey; pubMissing: boolean }
  | { ok: false; home: string; why: 'derive' | 'pub'; lines: number };

/** What the key step's command printed: the home folder, the key derived from the private key, the .pub. */
export function readKeyOutput(stdout: string): KeyReading {
  const text = stdout.replace(/\r/g, '');
  const d = text.indexOf(`${DERIVED}\n`);
  const p = text.indexOf(`${PUB}\n`);
  const home = (d >= 0 ? text.slice(0, d) : text).trim().split('\n').pop() ?? '.';
  if (d < 0 || p < d) return { ok: false, home, why: 'derive', lines: 0 };
  const derivedText = text.slice(d + DERIVED.length + 1, p).replace(/\n$/, '');
  const pubLines = text
    .slice(p + PUB.length + 1)
    .split('\n')
    .filter((l) => l.trim() !== '');
  const derived = parsePublicKey(derivedText);
  if (!derived) return { ok: false, home, why: 'derive', lines: derivedText.split('\n').length };
  if (pubLines.length === 0) return { ok: true, home, key: derived, pubMissing: true };
  const pub = pubLines.length === 1 ? parsePublicKey(pubLines[0]!) : undefined;
  if (!pub || pub.base64 !== derived.base64) return { ok: false, home, why: 'pub', lines: pubLines.length };
  return { ok: true, home, key: derived, pubMissing: false };
}

/** The command that makes the key when missing and prints what readKeyOutput reads. */
export function keyCommand(comment: string): string {
  return [
    'mkdir -p .ssh',
    'chmod 700 .ssh',
    `{ test -f ${shq(DEPLOYER_KEY)} || ${shellJoin(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', DEPLOYER_KEY])}; }`,
    'pwd',
    `printf '%s\\n' ${shq(DERIVED)}`,
    // The public half as the private key says it is: what the .pub holds is checked against this.
    shellJoin(['ssh-keygen', '-y', '-P', '', '-f', DEPLOYER_KEY]),
    `printf '%s\\n' ${shq(PUB)}`,
    `{ cat ${shq(`${DEPLOYER_KEY}.pub`)} 2>/dev/null || true; }`,
  ].join(' && ');
}

/** What the dry run lists in place of the key, which exists only once the deployer made it. */
const DRY_RUN_KEY = 'ssh-ed25519 <public key generated on the deployer>';

export function deployerKeyStep(plan: Plan, deployer: Host, needs: string[]): Step {
  const d = deployer.name;
  return {
    id: 'deployer-key',
    title: msg('step.deployer-key'),
    hosts: [d],
    needs,
    // Generates the key only when missing, so running it again is harmless and always yields the public key.
    async run(ctx) {
      const comment = keyComment(plan);
      const r = await ctx.exec(d, keyCommand(comment), {
        dryRunResult: { stdout: `${likelyHome(plan, deployer)}\n` },
      });
      if (ctx.dryRun) {
        ctx.outputs.set('deployerHome', r.stdout.trim() || '.');
        ctx.outputs.set('deployerPublicKey', `${DRY_RUN_KEY} ${comment}`);
        return;
      }
      const reading = readKeyOutput(r.stdout);
      ctx.outputs.set('deployerHome', reading.home || '.');
      if (!reading.ok) {
        const file = `${reading.home}/${DEPLOYER_KEY}.pub`;
        throw new StepError(
          reading.why === 'pub'
            ? msg('install.deployer-key.stale', {
                host: d,
                file,
                lines: reading.lines,
                key: `${reading.home}/${DEPLOYER_KEY}`,
              })
            : msg('install.deployer-key.unusable', { host: d, key: `${reading.home}/${DEPLOYER_KEY}` }),
          {
            host: d,
            task: 'deployer-key',
            message:
              reading.why === 'pub'
                ? `${file} does not hold exactly the deployer key`
                : 'no well-formed public key',
          },
          true,
        );
      }
      const line = authorizedKeyLine(reading.key, comment);
      if (reading.pubMissing)
        await ctx.exec(d, `printf '%s\\n' ${shq(line)} > ${shq(`${DEPLOYER_KEY}.pub`)}`);
      ctx.outputs.set('deployerPublicKey', line);
    },
  };
}

export function nodeKeysStep(nodes: Host[], needs: string[] = ['deployer-key']): Step {
  // Only a line the key step verified in this run (or journaled as verified) is ever appended.
  const keyLine = (value: unknown, dryRun: boolean): string => {
    if (dryRun && typeof value === 'string' && value.startsWith(DRY_RUN_KEY)) return value;
    const line = checkedKeyLine(value);
    if (!line) {
      throw new StepError(
        msg('install.deployer-key.unusable', { host: '-', key: DEPLOYER_KEY }),
        { task: 'node-keys', message: 'the deployer key output is not one well-formed key line' },
        true,
      );
    }
    return line;
  };
  const authorize = (pub: string) =>
    [
      'mkdir -p .ssh',
      'chmod 700 .ssh',
      'touch .ssh/authorized_keys',
      'chmod 600 .ssh/authorized_keys',
      // Appends only when the exact line is missing: never rewrites what the user has there.
      `{ grep -qxF ${shq(pub)} .ssh/authorized_keys || printf '%s\\n' ${shq(pub)} >> .ssh/authorized_keys; }`,
    ].join(' && ');
  return {
    id: 'node-keys',
    title: msg('step.node-keys'),
    hosts: nodes.map((h) => h.name),
    needs,
    perHost: true,
    retry: { attempts: 3, delayMs: 1000 },
    async isDone(ctx) {
      const pub = keyLine(ctx.outputs.require<string>('deployerPublicKey'), ctx.dryRun);
      const r = await ctx.exec(ctx.host!.name, `grep -qxF ${shq(pub)} .ssh/authorized_keys`, {
        check: false,
        quiet: true,
      });
      return r.code === 0;
    },
    async run(ctx) {
      await ctx.exec(
        ctx.host!.name,
        authorize(keyLine(ctx.outputs.require<string>('deployerPublicKey'), ctx.dryRun)),
      );
    },
  };
}
