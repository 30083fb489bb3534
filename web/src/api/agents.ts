// Typed calls for /api/agents (http-api.md §8) and /api/users/search (§5.5).
import { api } from './http';

export type AgentType = 'claude-code' | 'codex' | 'gemini' | 'generic';
export const AGENT_TYPES: AgentType[] = ['claude-code', 'codex', 'gemini', 'generic'];
export type AgentStatus = 'online' | 'offline' | 'busy' | 'error';
export type AgentVisibility = 'private' | 'all' | 'whitelist';

export interface SlashCommand {
  name: string;
  description: string;
  usage: string;
  source: 'builtin' | 'skill';
}

export interface DeviceInfo {
  hostname: string;
  platform: string;
  arch: string;
  nodeVersion: string;
}

export interface Agent {
  id: string;
  name: string;
  type: AgentType;
  status: AgentStatus;
  visibility: AgentVisibility;
  visibilityList: string[];
  gatewayId: string;
  workingDirectory: string | null;
  capabilities?: string[];
  connectionType?: 'cli' | 'api';
  slashCommands?: SlashCommand[];
  mcpServers?: string[];
  model?: string;
  lastSeenAt: string | null;
  createdAt: string;
  updatedAt: string;
  deviceInfo?: DeviceInfo;
  ownerName?: string;
  /** Only known from `server:agent_info`. */
  sessionCostUSD?: number;
}

export interface Gateway {
  id: string;
  userId: string;
  name: string;
  hostname: string;
  platform: string;
  arch: string;
  nodeVersion: string | null;
  connectedAt: string;
  disconnectedAt: string | null;
  ephemeral: boolean;
  createdAt: string;
  deviceInfo?: DeviceInfo;
}

export interface UserSummary {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

/** All pages of an offset-paged agent list (500 a page). The shared list is filtered after
 *  paging on the hub, so a short page is not the end: only an empty one is (http-api.md §8.2). */
async function allPages(path: string, untilEmpty: boolean, max = 5000): Promise<Agent[]> {
  const all: Agent[] = [];
  for (let offset = 0; offset < max; offset += 500) {
    const page = (await api<Agent[]>('GET', `${path}?limit=500&offset=${offset}`)) ?? [];
    all.push(...page);
    if (page.length === 0 || (!untilEmpty && page.length < 500)) break;
  }
  const seen = new Set<string>();
  return all.filter((a) => !seen.has(a.id) && (seen.add(a.id), true));
}

export const listAgents = () => allPages('/agents', false);
export const listSharedAgents = () => allPages('/agents/shared', true);
export const listGateways = () => api<Gateway[]>('GET', '/agents/gateways/list');

export const updateAgent = (
  id: string,
  body: { name?: string; visibility?: AgentVisibility; visibilityList?: string[] },
) => api<Agent>('PUT', `/agents/${encodeURIComponent(id)}`, body);

export const deleteAgent = (id: string) => api<unknown>('DELETE', `/agents/${encodeURIComponent(id)}`);
export const deleteGateway = (id: string) =>
  api<unknown>('DELETE', `/agents/gateways/${encodeURIComponent(id)}`);

export interface SpawnRequest {
  gatewayId: string;
  agentType: AgentType;
  name: string;
  workingDirectory?: string;
  credentialId?: string;
}
export const spawnAgent = (body: SpawnRequest) => api<unknown>('POST', '/agents/spawn', body);

export const searchUsers = (q: string) =>
  api<UserSummary[]>('GET', `/users/search?q=${encodeURIComponent(q)}`);
