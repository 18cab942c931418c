// What the K-PaaS portal archive (cp-portal-deployment-v<ver>.tar.gz, v1.6 guide) deploys: each component's
// chart, namespace and the ingress host it answers on, in the order deploy-cp-portal.sh installs them.
// Chart versions are the v1.6.2 guide's table (§2.3); cp-portal's own chart follows the archive's version.

export interface PortalComponent {
  /** The helm release and chart name the script uses. */
  name: string;
  namespace: string;
  /** Chart version the guide lists; undefined when it follows the archive's own version. */
  chartVersion?: string;
  /** First label of the ingress host (`<host>.${HOST_DOMAIN}`); undefined when it has no ingress. */
  host?: string;
  /** How a person calls it (logs, progress). */
  title: string;
}

export const PORTAL_COMPONENTS: readonly PortalComponent[] = [
  { name: 'openbao', namespace: 'openbao', chartVersion: '0.12.0', host: 'openbao', title: 'OpenBao' },
  { name: 'mariadb', namespace: 'mariadb', chartVersion: '20.5.6', title: 'MariaDB' },
  { name: 'harbor', namespace: 'harbor', chartVersion: '1.17.1', host: 'harbor', title: 'Harbor' },
  { name: 'keycloak', namespace: 'keycloak', chartVersion: '23.0.0', host: 'keycloak', title: 'Keycloak' },
  { name: 'chartmuseum', namespace: 'chartmuseum', chartVersion: '3.10.4', host: 'chartmuseum', title: 'ChartMuseum' },
  { name: 'chaos-mesh', namespace: 'chaos-mesh', chartVersion: '2.7.2', title: 'Chaos Mesh' },
  { name: 'cp-portal', namespace: 'cp-portal', host: 'portal', title: 'cp-portal' },
];

/** Ingress hosts in the order the guide lists the URLs (PAASTA.md §5): the portal first. */
export const PORTAL_URL_ORDER = ['portal', 'keycloak', 'harbor', 'openbao', 'chartmuseum'] as const;

export const PORTAL_NAMESPACE = 'cp-portal';
/** The secret the v1.6 guide reads the first administrator from (§4.1). */
export const PORTAL_SECRET = 'cp-portal-secret';
export const ADMIN_USER_KEY = 'KEYCLOAK_ADMIN_USERNAME';
export const ADMIN_PASSWORD_KEY = 'KEYCLOAK_ADMIN_PASSWORD';
export const KEYCLOAK_REALM = 'cp-realm';
/** The StorageClass the platform's storage step makes (the vars file's default). */
export const PORTAL_STORAGE_CLASS = 'cp-storageclass';

export function componentByNamespace(namespace: string): PortalComponent | undefined {
  return PORTAL_COMPONENTS.find((c) => c.namespace === namespace);
}

export function componentByName(name: string): PortalComponent | undefined {
  return PORTAL_COMPONENTS.find((c) => c.name === name);
}
