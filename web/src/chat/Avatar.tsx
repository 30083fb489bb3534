// A round avatar: the picture when there is one, else initials on a colour from the name.
import { withToken } from '../api/http';

function hue(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) % 360;
  return h;
}

export function initials(name: string): string {
  const parts = name.trim().split(/[\s_-]+/).filter(Boolean);
  if (!parts.length) return '?';
  const s = parts.length === 1 ? [...parts[0]].slice(0, 2).join('') : [...parts[0]][0] + [...parts[1]][0];
  return s.toUpperCase();
}

export function Avatar({ name, url, size = 32, agent }: { name: string; url?: string | null; size?: number; agent?: boolean }) {
  const style = { width: size, height: size, fontSize: size * 0.4, background: `hsl(${hue(name)} 55% 45%)` };
  const safe = url && (url.startsWith('/uploads/') || url.startsWith('https://')) ? url : null;
  return (
    <span className={`avatar${agent ? ' avatar-agent' : ''}`} style={style} aria-hidden="true">
      {safe ? <img src={withToken(safe)} alt="" width={size} height={size} loading="lazy" /> : initials(name)}
    </span>
  );
}
