import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Plan } from '../../../core/plan/schema.js';
import { inventoryGroups, renderInventory } from '../../../core/tools/kubespray/inventory.js';
import { haExternalEtcd, rookCephOffline, singleMaster } from './plans.js';

type Inv = {
  all: {
    vars?: Record<string, string>;
    hosts: Record<string, Record<string, string | number>>;
    children: Record<string, { hosts?: Record<string, null> | Record<string, never>; children?: Record<string, null> }>;
  };
};

function groupHosts(inv: Inv, group: string): string[] {
  return Object.keys(inv.all.children[group]?.hosts ?? {});
}

describe('renderInventory', () => {
  it('single master: groups, addresses, edge and nfs hosts left out', () => {
    const text = renderInventory(singleMaster());
    expect(text).toMatchInlineSnapshot(`
      "# Kubespray inventory for cluster cp-cluster, written by cp-installer from the install plan.
      # It is an ordinary Kubespray inventory: check it with
      #   ansible-inventory -i hosts.yaml --graph
      # and run Kubespray by hand from the Kubespray folder with
      #   ansible-playbook -i inventory/<cluster>/hosts.yaml --become --become-user=root cluster.yml
      #
      # Per host: ansible_host is where the deployer connects over SSH; ip is the address Kubernetes binds to;
      # access_ip is the address the other nodes use to reach it. All three are the private (inner) address:
      # the deployer runs inside the cluster network, as in the platform's own scripts.
      all:
        hosts:
          master1:
            ansible_host: 10.0.0.10
            ansible_user: ubuntu
            ip: 10.0.0.10
            access_ip: 10.0.0.10
          worker1:
            ansible_host: 10.0.0.21
            ansible_user: ubuntu
            ip: 10.0.0.21
            access_ip: 10.0.0.21
        children:
          # Control plane nodes (the first one initializes the cluster).
          kube_control_plane:
            hosts:
              master1:
          # Worker nodes.
          kube_node:
            hosts:
              worker1:
          # Stacked etcd: on the control planes.
          etcd:
            hosts:
              master1:
          # Every Kubernetes node (not the external etcd hosts).
          k8s_cluster:
            children:
              kube_control_plane:
              kube_node:
              calico_rr:
          # Calico route reflectors: none.
          calico_rr:
            hosts: {}
      "
    `);
    const inv = parse(text) as Inv;
    expect(Object.keys(inv.all.hosts)).toEqual(['master1', 'worker1']);
    expect(groupHosts(inv, 'etcd')).toEqual(['master1']);
    expect(Object.keys(inv.all.children.k8s_cluster!.children!)).toEqual(['kube_control_plane', 'kube_node', 'calico_rr']);
  });

  it('HA with external etcd: etcd hosts in etcd only, port and user per host', () => {
    const text = renderInventory(haExternalEtcd(), { privateKeyFile: '/home/ubuntu/.ssh/cp-installer' });
    expect(text).toMatchInlineSnapshot(`
      "# Kubespray inventory for cluster prod, written by cp-installer from the install plan.
      # It is an ordinary Kubespray inventory: check it with
      #   ansible-inventory -i hosts.yaml --graph
      # and run Kubespray by hand from the Kubespray folder with
      #   ansible-playbook -i inventory/<cluster>/hosts.yaml --become --become-user=root cluster.yml
      #
      # Per host: ansible_host is where the deployer connects over SSH; ip is the address Kubernetes binds to;
      # access_ip is the address the other nodes use to reach it. All three are the private (inner) address:
      # the deployer runs inside the cluster network, as in the platform's own scripts.
      all:
        vars:
          ansible_ssh_private_key_file: /home/ubuntu/.ssh/cp-installer
        hosts:
          master1:
            ansible_host: 10.1.0.11
            ansible_user: ubuntu
            ip: 10.1.0.11
            access_ip: 10.1.0.11
          master2:
            ansible_host: 10.1.0.12
            ansible_user: ubuntu
            ip: 10.1.0.12
            access_ip: 10.1.0.12
          master3:
            ansible_host: 10.1.0.13
            ansible_user: ubuntu
            ip: 10.1.0.13
            access_ip: 10.1.0.13
          etcd1:
            ansible_host: 10.1.0.21
            ansible_user: ubuntu
            ip: 10.1.0.21
            access_ip: 10.1.0.21
            etcd_member_name: etcd1
          etcd2:
            ansible_host: 10.1.0.22
            ansible_user: ubuntu
            ip: 10.1.0.22
            access_ip: 10.1.0.22
            etcd_member_name: etcd2
          etcd3:
            ansible_host: 10.1.0.23
            ansible_user: ubuntu
            ip: 10.1.0.23
            access_ip: 10.1.0.23
            etcd_member_name: etcd3
          worker1:
            ansible_host: 10.1.0.31
            ansible_port: 2222
            ansible_user: cp
            ip: 10.1.0.31
            access_ip: 10.1.0.31
        children:
          # Control plane nodes (the first one initializes the cluster).
          kube_control_plane:
            hosts:
              master1:
              master2:
              master3:
          # Worker nodes.
          kube_node:
            hosts:
              worker1:
          # External etcd: its own hosts.
          etcd:
            hosts:
              etcd1:
              etcd2:
              etcd3:
          # Every Kubernetes node (not the external etcd hosts).
          k8s_cluster:
            children:
              kube_control_plane:
              kube_node:
              calico_rr:
          # Calico route reflectors: none.
          calico_rr:
            hosts: {}
      "
    `);
    const inv = parse(text) as Inv;
    expect(groupHosts(inv, 'kube_control_plane')).toEqual(['master1', 'master2', 'master3']);
    expect(groupHosts(inv, 'etcd')).toEqual(['etcd1', 'etcd2', 'etcd3']);
    expect(groupHosts(inv, 'kube_node')).toEqual(['worker1']);
    expect(inv.all.hosts.worker1).toMatchObject({ ansible_port: 2222, ansible_user: 'cp' });
    expect(inv.all.vars).toEqual({ ansible_ssh_private_key_file: '/home/ubuntu/.ssh/cp-installer' });
    expect(inv.all.hosts.lb1).toBeUndefined();
  });

  it('rook-ceph: three workers in kube_node, the deployer control plane once', () => {
    const inv = parse(renderInventory(rookCephOffline())) as Inv;
    expect(Object.keys(inv.all.hosts)).toEqual(['cp1', 'w1', 'w2', 'w3']);
    expect(groupHosts(inv, 'kube_node')).toEqual(['w1', 'w2', 'w3']);
  });

  it('a cluster without workers runs workloads on its control planes', () => {
    const plan = Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      hosts: [{ name: 'solo', address: '10.9.0.1', roles: ['control-plane'] }],
    });
    const groups = inventoryGroups(plan);
    expect(groups.nodes.map((h) => h.name)).toEqual(['solo']);
    const inv = parse(renderInventory(plan)) as Inv;
    expect(groupHosts(inv, 'kube_node')).toEqual(['solo']);
  });

  it('quotes host names and values YAML would misread, and they read back unchanged', () => {
    const plan = Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      hosts: [
        { name: 'yes', address: '10.9.0.1', user: 'a: b', roles: ['control-plane'] },
        { name: '1.30', address: '10.9.0.2', user: "o'neil #x", roles: ['worker'] },
      ],
    });
    const inv = parse(renderInventory(plan)) as Inv;
    expect(Object.keys(inv.all.hosts)).toEqual(['yes', '1.30']);
    expect(inv.all.hosts.yes!.ansible_user).toBe('a: b');
    expect(inv.all.hosts['1.30']!.ansible_user).toBe("o'neil #x");
    expect(groupHosts(inv, 'kube_node')).toEqual(['1.30']);
  });

  it('a line break in the cluster name cannot end the header comment', () => {
    const plan = singleMaster();
    plan.cluster.name = 'x\nall: {hosts: {evil: {ansible_host: 6.6.6.6}}}\n#';
    const inv = parse(renderInventory(plan)) as Inv;
    expect(Object.keys(inv.all.hosts)).toEqual(['master1', 'worker1']);
  });
});
