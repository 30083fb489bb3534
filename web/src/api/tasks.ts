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

/** Every task of my rooms, newest first: pages of 100 (the hub's maximum) up to `max`. */
export async function listTasks(max = 2000): Promise<Task[]> {
  const all: Task[] = [];
  for (let offset = 0; offset < max; offset += 100) {
    const page = await api<Task[]>('GET', `/tasks?limit=100&offset=${offset}`);
    all.push(...(page ?? []));
    if (!page || page.length < 100) break;
  }
  const seen = new Set<string>();
  return all.filter((t) => !seen.has(t.id) && (seen.add(t.id), true));
}
export const listRooms = () => api<RoomRef[]>('GET', '/rooms');
export const createTask = (roomId: string, body: { title: string; description: string }) =>
  api<Task>('POST', `/tasks/rooms/${encodeURIComponent(roomId)}`, body);
export const updateTask = (id: string, body: Partial<Pick<Task, 'title' | 'description' | 'status'>>) =>
  api<Task>('PUT', `/tasks/${encodeURIComponent(id)}`, body);
export const deleteTask = (id: string) => api<unknown>('DELETE', `/tasks/${encodeURIComponent(id)}`);
