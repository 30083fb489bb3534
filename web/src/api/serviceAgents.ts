// Typed calls for /api/service-agents (http-api.md §14).
import { api } from './http';

export type ServiceAgentCategory = 'chat' | 'search' | 'image' | 'audio' | 'video' | 'music' | '3d';
export const SERVICE_AGENT_CATEGORIES: ServiceAgentCategory[] = ['chat', 'search', 'image', 'audio', 'video', 'music', '3d'];

export interface SchemaProperty {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array';
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  enum?: (string | number)[];
  default?: unknown;
  description?: string;
}
export interface ConfigSchema {
  type?: 'object';
  properties?: Record<string, SchemaProperty>;
  required?: string[];
}

export interface Provider {
  type: string;
  displayName: string;
  category: ServiceAgentCategory;
  description: string;
  configSchema: ConfigSchema;
}

export interface ServiceAgent {
  id: string;
  name: string;
  type: string;
  category: ServiceAgentCategory;
  description: string | null;
  status: 'active' | 'inactive' | 'error';
  avatarUrl: string | null;
  createdById: string;
  createdAt: string;
  updatedAt: string;
  config?: Record<string, unknown>;
}

export interface ServiceAgentInput {
  name?: string;
  type?: string;
  category?: ServiceAgentCategory;
  description?: string | null;
  status?: ServiceAgent['status'];
  config?: Record<string, unknown>;
}

export const listProviders = () => api<Provider[]>('GET', '/service-agents/providers');
export const listServiceAgents = () => api<ServiceAgent[]>('GET', '/service-agents');
export const getServiceAgent = (id: string) => api<ServiceAgent>('GET', `/service-agents/${encodeURIComponent(id)}`);
export const createServiceAgent = (body: ServiceAgentInput) => api<ServiceAgent>('POST', '/service-agents', body);
export const updateServiceAgent = (id: string, body: ServiceAgentInput) =>
  api<ServiceAgent>('PUT', `/service-agents/${encodeURIComponent(id)}`, body);
export const deleteServiceAgent = (id: string) =>
  api<unknown>('DELETE', `/service-agents/${encodeURIComponent(id)}`);
export const validateServiceAgent = (id: string) =>
  api<{ valid: boolean; error?: string; message?: string }>('POST', `/service-agents/${encodeURIComponent(id)}/validate`);
