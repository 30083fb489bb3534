// Names for user ids in sharing lists. The hub stores only ids (visibilityList) and offers no
// lookup by id to non-admins, so the names seen in the user search are remembered locally.
const KEY = 'agentim.userLabels';
const MAX = 500;

function read(): Record<string, string> {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function rememberUserLabel(id: string, label: string): void {
  try {
    const all = read();
    delete all[id];
    all[id] = label;
    const keys = Object.keys(all);
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX))) delete all[k];
    localStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    /* storage unavailable: ids are shown instead */
  }
}

export function userLabel(id: string): string {
  const v = read()[id];
  return typeof v === 'string' && v ? v : id;
}
