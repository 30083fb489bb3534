// Typed calls for /api/tasks (http-api.md §9) and the room list the create form needs.
import { api } from './http';

export type TaskStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';
export const TASK_STATUSES: TaskStatus[] = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'];

export interface Task {
  id: string;
  roomId: string;
  title: string;
  description: string;
  status: TaskStatus;
  result: string | null;
  dueDate: string | null;
  assigneeId: string | null;
  assigneeType: 'user' | 'agent' | null;
  createdById: string;
  createdAt: string;
  updatedAt: string;
}

export interface RoomRef {
  id: string;
  name: string;
  archivedAt?: string | null;
}

export const listTasks = () => api<Task[]>('GET', '/tasks?limit=100');
export const listRooms = () => api<RoomRef[]>('GET', '/rooms');
export const createTask = (roomId: string, body: { title: string; description: string }) =>
  api<Task>('POST', `/tasks/rooms/${encodeURIComponent(roomId)}`, body);
export const updateTask = (id: string, body: Partial<Pick<Task, 'title' | 'description' | 'status'>>) =>
  api<Task>('PUT', `/tasks/${encodeURIComponent(id)}`, body);
export const deleteTask = (id: string) => api<unknown>('DELETE', `/tasks/${encodeURIComponent(id)}`);
