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

export const listAgents = () => api<Agent[]>('GET', '/agents?limit=500');
export const listSharedAgents = () => api<Agent[]>('GET', '/agents/shared?limit=500');
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
