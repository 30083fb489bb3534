// Typed calls for /api/routers (http-api.md §10).
import { api, ApiError } from './http';

export type RouterScope = 'personal' | 'global';
export type RouterVisibility = 'all' | 'whitelist' | 'blacklist';

export interface Router {
  id: string;
  name: string;
  description: string | null;
  scope: RouterScope;
  createdById: string;
  llmBaseUrl: string;
  llmApiKey: string;
  llmModel: string;
  maxChainDepth: number;
  rateLimitWindow: number;
  rateLimitMax: number;
  visibility: RouterVisibility;
  visibilityList: string[];
  createdAt: string;
  updatedAt: string;
}

export interface RouterInput {
  name?: string;
  description?: string | null;
  scope?: RouterScope;
  llmBaseUrl?: string;
  llmApiKey?: string;
  llmModel?: string;
  maxChainDepth?: number;
  rateLimitWindow?: number;
  rateLimitMax?: number;
  visibility?: RouterVisibility;
  visibilityList?: string[];
}

export const listRouters = () => api<Router[]>('GET', '/routers');
export const createRouter = (body: RouterInput) => api<Router>('POST', '/routers', body);
export const updateRouter = (id: string, body: RouterInput) =>
  api<Router>('PUT', `/routers/${encodeURIComponent(id)}`, body);
export const deleteRouter = (id: string) => api<unknown>('DELETE', `/routers/${encodeURIComponent(id)}`);

/** The test answers HTTP 200 `{ok:false, error}` when the LLM fails (§10.6), so read the envelope. */
export async function testRouter(id: string): Promise<{ success: boolean; error?: string }> {
  try {
    const data = await api<{ success?: boolean }>('POST', `/routers/${encodeURIComponent(id)}/test`);
    return { success: data?.success === true };
  } catch (e) {
    if (e instanceof ApiError && e.status === 200) return { success: false, error: e.message };
    throw e;
  }
}
