// The SSH layer's public face for preflight, install and outputs.
export * from './types.js';
export { Ssh2Connector, type ConnectorOptions, type HostKeyQuestion } from './connector.js';
export { KnownHosts, fingerprint, parseKnownHosts, judgeHostKey, type HostKeyVerdict, type KnownHostEntry } from './known-hosts.js';
export { SshConfigFile, type SshConfigEntry, type JumpSpec } from './ssh-config.js';
export { SshPool, Semaphore, type HostOutcome } from './pool.js';
export { targetsFromPlan, targetForHost, type TargetOptions } from './targets.js';
export { sshMessages, sshErrorMessage, SSH_ERROR_KINDS } from './messages.js';
