// `cp-installer import … --bosh-vars paasta-container-service-vars-<iaas>.yml`: what the 2021 tree's BOSH
// vars file says about the plan's `bosh` section. Read as YAML data, never evaluated; placeholders the guide
// leaves (`<HAPROXY_IP>`) are skipped, and the secret keys (the MariaDB password, CredHub's client secret,
// the bearer token) are never read: they stay secrets, asked for at apply. Pure.
import { parse } from 'yaml';
import type { PlanIssue } from './issues.js';

const SECRET_KEYS = ['mariadb_admin_user_password', 'credhub_admin_client_secret', 'k8s_auth_bearer'];
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export interface BoshVarsImport {
  /** Partial `bosh` section (directorAddress only when the file names CredHub's address on the director). */
  bosh: Record<string, unknown>;
  issues: PlanIssue[];
}

export function boshFromVarsFile(text: string): BoshVarsImport {
  const v = (parse(text) ?? {}) as Record<string, unknown>;
  const issues: PlanIssue[] = [];
  const str = (k: string): string | undefined => {
    const x = v[k];
    if (typeof x !== 'string' && typeof x !== 'number') return undefined;
    const s = String(x).trim();
    return s === '' || /^<.*>$/.test(s) ? undefined : s;
  };
  const num = (k: string): number | undefined => (str(k) !== undefined && /^\d+$/.test(str(k)!) ? Number(str(k)) : undefined);
  const list = (k: string): string[] | undefined => (Array.isArray(v[k]) ? (v[k] as unknown[]).map(String) : undefined);
  const pick = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
  const bosh: Record<string, unknown> = pick({
    stemcell: pick({ os: str('stemcell_os'), version: str('stemcell_version'), alias: str('stemcell_alias') }),
    networks: pick({ private: str('service_private_networks_name'), privateNat: str('service_private_nat_networks_name'), public: str('service_public_networks_name') }),
    vmTypes: pick({ small: str('vm_type_small'), containerSmall: str('vm_type_container_small') }),
    azs: pick({ haproxy: list('haproxy_azs'), mariadb: list('mariadb_azs'), registry: list('private_image_repository_azs') }),
    haproxyAddress: str('haproxy_public_url') && IPV4.test(str('haproxy_public_url')!) ? str('haproxy_public_url') : undefined,
    haproxyHttpPort: num('haproxy_http_port'),
    mariadb: pick({ port: num('mariadb_port'), adminUser: str('mariadb_admin_user_id'), diskType: str('mariadb_persistent_disk_type') }),
    registry: pick({ port: num('private_image_repository_port'), diskType: str('private_image_repository_persistent_disk_type') }),
  });
  for (const k of Object.keys(bosh)) if (bosh[k] && typeof bosh[k] === 'object' && !Array.isArray(bosh[k]) && Object.keys(bosh[k] as object).length === 0) delete bosh[k];
  // bosh-deployment runs CredHub on the director's address: the file's only trace of where the director is.
  const credhub = str('credhub_server_url')?.split(':')[0];
  if (credhub && IPV4.test(credhub)) {
    bosh.directorAddress = credhub;
    issues.push({ severity: 'warning', path: 'bosh.directorAddress', key: 'plan.import.boshDirector', params: { value: credhub } });
  }
  if (!bosh.haproxyAddress) issues.push({ severity: 'warning', path: 'bosh.haproxyAddress', key: 'plan.import.boshHaproxy', params: { value: String(v.haproxy_public_url ?? '') } });
  for (const k of SECRET_KEYS) if (k in v) issues.push({ severity: 'warning', path: 'bosh', key: 'plan.import.boshSecret', params: { key: k } });
  return { bosh, issues };
}
