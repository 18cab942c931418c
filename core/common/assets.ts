// Where installer-assets/ is: beside the package when run from source or dist/, in the app's resources
// when packaged (electron-builder's extraResources), or where CP_INSTALLER_ASSETS points.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function assetsDir(): string {
  if (cached) return cached;
  const fromEnv = process.env.CP_INSTALLER_ASSETS;
  if (fromEnv) return (cached = resolve(fromEnv));
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources && existsSync(join(resources, 'installer-assets'))) {
    return (cached = join(resources, 'installer-assets'));
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'installer-assets');
    if (existsSync(candidate)) return (cached = candidate);
    dir = dirname(dir);
  }
  throw new Error('installer-assets/ not found; set CP_INSTALLER_ASSETS to its folder');
}

export function assetPath(...parts: string[]): string {
  return join(assetsDir(), ...parts);
}
