// Every area of every language. Keys are `<area>.<key>`; a missing key falls back to English.
import enCommon from './en/common';
import enAuth from './en/auth';
import enChat from './en/chat';
import enAgents from './en/agents';
import enTasks from './en/tasks';
import enSettings from './en/settings';
import enAdmin from './en/admin';
import enServiceAgents from './en/serviceAgents';
import zhCommon from './zh-CN/common';
import zhAuth from './zh-CN/auth';
import zhChat from './zh-CN/chat';
import zhAgents from './zh-CN/agents';
import zhTasks from './zh-CN/tasks';
import zhSettings from './zh-CN/settings';
import zhAdmin from './zh-CN/admin';
import zhServiceAgents from './zh-CN/serviceAgents';

export type Language = 'en' | 'zh-CN';
export type Catalog = Record<string, string>;

function merge(areas: Record<string, Catalog>): Catalog {
  const out: Catalog = {};
  for (const [area, entries] of Object.entries(areas)) {
    for (const [k, v] of Object.entries(entries)) out[`${area}.${k}`] = v;
  }
  return out;
}

export const areas: Record<Language, Record<string, Catalog>> = {
  en: { common: enCommon, auth: enAuth, chat: enChat, agents: enAgents, tasks: enTasks, settings: enSettings, admin: enAdmin, serviceAgents: enServiceAgents },
  'zh-CN': { common: zhCommon, auth: zhAuth, chat: zhChat, agents: zhAgents, tasks: zhTasks, settings: zhSettings, admin: zhAdmin, serviceAgents: zhServiceAgents },
};

export const catalogs: Record<Language, Catalog> = {
  en: merge(areas.en),
  'zh-CN': merge(areas['zh-CN']),
};
