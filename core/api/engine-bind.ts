// Binds the service to the real engine: each part adapts one facade (core/api/plan.ts, preflight.ts,
// install.ts, core/outputs) to the shape the service needs (engine.ts). A facade that has not landed
// leaves its part absent, and its commands answer `api.notAvailable`.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RELEASE, loadCatalog } from '../plan/catalog.js';
import type { Engine } from './engine.js';

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cp-installer' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export interface EngineOptions {
  workdir: string;
}

export function bindEngine(_options: EngineOptions): Engine {
  return {
    version: packageVersion(),
    catalog: {
      releases: () =>
        [...loadCatalog().values()].map((r) => ({
          name: r.name,
          title: r.title,
          kubernetes: r.kubernetes,
          ...(r.kubeedge ? { kubeedge: r.kubeedge.version } : {}),
        })),
      defaultRelease: DEFAULT_RELEASE,
    },
  };
}
