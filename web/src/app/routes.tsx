// The route table. Pages other than the chat load lazily; each is a default-export component
// without props at pages/<Name>Page.tsx.
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export type Access = 'anonymous' | 'user' | 'admin';
export interface RouteDef {
  path: string;
  access: Access;
  component: LazyExoticComponent<ComponentType> | ComponentType;
  /** key of the navigation entry to mark with aria-current */
  nav?: string;
  /** full-screen page without the app shell */
  bare?: boolean;
}

const LoginPage = lazy(() => import('../pages/LoginPage'));
const AuthCallbackPage = lazy(() => import('../pages/AuthCallbackPage'));
const ChatPage = lazy(() => import('../pages/ChatPage'));
const AgentsPage = lazy(() => import('../pages/AgentsPage'));
const TasksPage = lazy(() => import('../pages/TasksPage'));
const SettingsPage = lazy(() => import('../pages/SettingsPage'));
const AdminUsersPage = lazy(() => import('../pages/AdminUsersPage'));
const AdminSettingsPage = lazy(() => import('../pages/AdminSettingsPage'));
const AdminDashboardPage = lazy(() => import('../pages/AdminDashboardPage'));
const ServiceAgentsPage = lazy(() => import('../pages/ServiceAgentsPage'));
const NotFoundPage = lazy(() => import('../pages/NotFoundPage'));

export const routes: RouteDef[] = [
  { path: '/login', access: 'anonymous', component: LoginPage, bare: true },
  { path: '/auth/callback', access: 'anonymous', component: AuthCallbackPage, bare: true },
  { path: '/', access: 'user', component: ChatPage, nav: 'chat' },
  { path: '/room/:roomId', access: 'user', component: ChatPage, nav: 'chat' },
  { path: '/agents', access: 'user', component: AgentsPage, nav: 'agents' },
  { path: '/tasks', access: 'user', component: TasksPage, nav: 'tasks' },
  { path: '/settings', access: 'user', component: SettingsPage, nav: 'settings' },
  { path: '/users', access: 'admin', component: AdminUsersPage, nav: 'users' },
  { path: '/admin/dashboard', access: 'admin', component: AdminDashboardPage, nav: 'adminDashboard' },
  { path: '/admin/settings', access: 'admin', component: AdminSettingsPage, nav: 'adminSettings' },
  { path: '/service-agents', access: 'admin', component: ServiceAgentsPage, nav: 'serviceAgents' },
  { path: '*', access: 'user', component: NotFoundPage },
];

export interface NavEntry {
  key: string;
  to: string;
  admin?: boolean;
}

export const navEntries: NavEntry[] = [
  { key: 'chat', to: '/' },
  { key: 'agents', to: '/agents' },
  { key: 'tasks', to: '/tasks' },
  { key: 'settings', to: '/settings' },
  { key: 'users', to: '/users', admin: true },
  { key: 'adminDashboard', to: '/admin/dashboard', admin: true },
  { key: 'adminSettings', to: '/admin/settings', admin: true },
  { key: 'serviceAgents', to: '/service-agents', admin: true },
];
