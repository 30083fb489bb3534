// Typed call for GET /api/admin/metrics (http-api.md §2).
import { api } from './http';

export interface Histogram {
  buckets: number[];
  counts: number[];
  sum: number;
  count: number;
  avg: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface AdminMetrics {
  connections: { clients: number; gateways: number; onlineUsers: number; connectedAgents: number };
  process: { uptimeSeconds: number; heapUsedBytes: number; rssBytes: number };
  infrastructure: { redisEnabled: boolean };
  activity: { messagesTotal: Record<string, number>; activeRooms: number };
  performance: { agentResponse: Record<string, Histogram>; httpRequest: Record<string, Histogram> };
  timestamp: string;
}

export const getAdminMetrics = () => api<AdminMetrics>('GET', '/admin/metrics');
