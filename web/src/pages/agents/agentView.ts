// Pure helpers of the agents page: the sharing request, device text, gateway liveness, the
// credential/OAuth frames that belong to a gateway, and which URLs may become links.
import type { Agent, AgentVisibility, Gateway } from '../../api/agents';

export interface CredentialInfo {
  id: string;
  name: string;
  mode: 'api' | 'subscription';
  hasApiKey: boolean;
  hasOAuthData?: boolean;
  baseUrl?: string;
  model?: string;
  isDefault: boolean;
  createdAt: string;
}

export interface SpawnCredentialChoice {
  id: string;
  name: string;
  mode: 'api' | 'subscription';
  isDefault: boolean;
}

/** The PUT body for a sharing change, or the i18n key of what is wrong. */
export function sharingBody(visibility: AgentVisibility, userIds: string[]): { body?: { visibility: AgentVisibility; visibilityList: string[] }; problem?: string } {
  const ids = [...new Set(userIds.filter((id) => id.trim() !== ''))];
  if (visibility === 'whitelist' && ids.length === 0) return { problem: 'agents.errNoUsers' };
  if (ids.length > 500) return { problem: 'agents.errTooManyUsers' };
  return { body: { visibility, visibilityList: visibility === 'whitelist' ? ids : [] } };
}

/** "host · linux/x64", from the agent's or the gateway's device facts. */
export function deviceText(d: { hostname?: string; platform?: string; arch?: string } | undefined | null): string {
  if (!d) return '';
  const where = [d.platform, d.arch].filter((x) => x && x.trim() !== '').join('/');
  return [d.hostname, where].filter((x) => x && x.trim() !== '').join(' · ');
}

export function gatewayDevice(g: Gateway): string {
  return deviceText(g.deviceInfo ?? { hostname: g.hostname, platform: g.platform, arch: g.arch });
}

/** The hub sets disconnectedAt to null for a gateway with a live socket (http-api.md §8.7). */
export function gatewayOnline(g: Gateway): boolean {
  return g.disconnectedAt === null || g.disconnectedAt === undefined;
}

/** Only http(s) URLs become links (an auth URL comes from a gateway: never trust a scheme). */
export function safeHttpUrl(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > 4096) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** Agents sorted online first, then by name. */
export function sortAgents(list: Agent[]): Agent[] {
  const rank = (s: Agent['status']) => (s === 'online' ? 0 : s === 'busy' ? 1 : s === 'error' ? 2 : 3);
  return [...list].sort((a, b) => rank(a.status) - rank(b.status) || a.name.localeCompare(b.name));
}

/** Keeps the fields of a `server:gateway_credential_list` frame that we show, dropping junk. */
export function parseCredentialList(frame: { gatewayId?: unknown; agentType?: unknown; credentials?: unknown }): { gatewayId: string; agentType: string; credentials: CredentialInfo[] } | null {
  if (typeof frame.gatewayId !== 'string' || typeof frame.agentType !== 'string' || !Array.isArray(frame.credentials)) return null;
  const credentials = frame.credentials
    .filter((c): c is CredentialInfo => !!c && typeof c === 'object' && typeof (c as CredentialInfo).id === 'string' && typeof (c as CredentialInfo).name === 'string')
    .slice(0, 100)
    .map((c): CredentialInfo => ({
      id: c.id,
      name: c.name,
      mode: c.mode === 'subscription' ? 'subscription' : 'api',
      hasApiKey: !!c.hasApiKey,
      hasOAuthData: !!c.hasOAuthData,
      baseUrl: typeof c.baseUrl === 'string' ? c.baseUrl : undefined,
      model: typeof c.model === 'string' ? c.model : undefined,
      isDefault: !!c.isDefault,
      createdAt: typeof c.createdAt === 'string' ? c.createdAt : '',
    }));
  return { gatewayId: frame.gatewayId, agentType: frame.agentType, credentials };
}
