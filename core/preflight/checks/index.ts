// Which checks apply to a host, by its roles, the mode's preflight profile and the release. Pure: facts + plan → verdicts.
import type { Release } from '../../plan/catalog.js';
import { deployerHost, runsEtcd, type Host, type Plan } from '../../plan/schema.js';
import type { CheckResult, Facts } from '../types.js';
import { edgeCoreCheck, edgeKeadmCheck, edgeKubeletCheck, edgeRuntimeCheck, leftoversCheck } from './cluster.js';
import {
  contextFor,
  existingClusterHost,
  isClusterNode,
  isEdge,
  kubeadmDriven,
  type CheckContext,
} from './context.js';
import { portChecks } from './ports.js';
import { cpuCheck, diskCheck, fsyncCheck, memoryCheck } from './resources.js';
import {
  addressCheck,
  archCheck,
  binariesCheck,
  cgroupCheck,
  dnsCheck,
  firewallCheck,
  hostnameCheck,
  kernelCheck,
  modulesCheck,
  ntpCheck,
  osCheck,
  python3Check,
  selinuxCheck,
  sudoCheck,
  swapCheck,
  sysctlChecks,
} from './system.js';

export { contextFor, type CheckContext } from './context.js';

/** Hosts Ansible (Kubespray) manages: every cluster node in the Kubespray modes; never edge hosts. */
function ansibleManaged(ctx: CheckContext): boolean {
  return ctx.profile.preflight.ansible && isClusterNode(ctx);
}

export function evaluateHost(ctx: CheckContext): CheckResult[] {
  const out: Array<CheckResult | CheckResult[] | null> = [sudoCheck(ctx), archCheck(ctx)];
  const node = (isClusterNode(ctx) && !existingClusterHost(ctx)) || isEdge(ctx);
  const isDeployer = ctx.profile.preflight.ansible && deployerHost(ctx.plan)?.name === ctx.host.name;

  if (node) {
    out.push(
      osCheck(ctx),
      kernelCheck(ctx),
      cpuCheck(ctx),
      memoryCheck(ctx),
      diskCheck(ctx),
      swapCheck(ctx),
      cgroupCheck(ctx),
      modulesCheck(ctx),
      sysctlChecks(ctx),
      selinuxCheck(ctx),
      firewallCheck(ctx),
      ntpCheck(ctx),
      hostnameCheck(ctx),
      dnsCheck(ctx),
      addressCheck(ctx),
      leftoversCheck(ctx),
    );
    if (kubeadmDriven(ctx) && !isEdge(ctx)) out.push(binariesCheck(ctx));
    if (runsEtcd(ctx.plan, ctx.host)) out.push(fsyncCheck(ctx));
  } else if (ctx.roles.has('deployer') || ctx.roles.has('nfs')) {
    out.push(osCheck(ctx), diskCheck(ctx), ntpCheck(ctx));
  }
  if (ansibleManaged(ctx) || isDeployer) out.push(python3Check(ctx, isDeployer));
  if (isEdge(ctx) && ctx.profile.kubeedge) {
    out.push(edgeRuntimeCheck(ctx), edgeKubeletCheck(ctx), edgeCoreCheck(ctx), edgeKeadmCheck(ctx));
  }
  out.push(portChecks(ctx));
  return out.flat().filter((c): c is CheckResult => c !== null);
}

export function evaluate(facts: Facts, host: Host, plan: Plan, release?: Release): CheckResult[] {
  return evaluateHost(contextFor(facts, host, plan, release));
}
