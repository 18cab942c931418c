// Figures shown to a person the same way by every shell (the CLI's progress lines, the wizard's bars): plain
// functions with no Node or DOM imports, so the renderer may import them beside the API types.

/** A byte count in binary units: `512 B`, `12.3 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
