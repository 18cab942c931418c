// Field paths as a person reads them: the Hosts table counts rows from 1, so `hosts[1].address` shows as
// `hosts row 2 (worker-1) › address`. Pure.
import type { PlanInput } from '../../core/api/types.js';

export function readablePath(path: string, plan: PlanInput | undefined, rowWord: string): string {
  return path
    .replace(/^(hosts|auth)\[(\d+)\]\.?/, (_whole, list: 'hosts' | 'auth', index: string) => {
      const i = Number(index);
      const name = plan?.[list]?.[i]?.name;
      return `${list} ${rowWord} ${i + 1}${name ? ` (${name})` : ''}${path.length > _whole.length ? ' › ' : ''}`;
    })
    .replace(/\.(\w)/g, ' › $1');
}
