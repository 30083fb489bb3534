// Pure rules for the "My routers" form (http-api.md §10.2 and §10.4): defaults, the hub's checks,
// and the body to send (on edit, a blank key keeps the stored one; personal routers send no
// visibility).
import type { Router, RouterInput, RouterScope, RouterVisibility } from '../../api/routers';

export interface RouterForm {
  name: string;
  description: string;
  scope: RouterScope;
  llmBaseUrl: string;
  llmApiKey: string;
  llmModel: string;
  maxChainDepth: string;
  rateLimitWindow: string;
  rateLimitMax: string;
  visibility: RouterVisibility;
  /** user ids */
  visibilityList: string[];
}

export const EMPTY_ROUTER_FORM: RouterForm = {
  name: '',
  description: '',
  scope: 'personal',
  llmBaseUrl: '',
  llmApiKey: '',
  llmModel: '',
  maxChainDepth: '5',
  rateLimitWindow: '60',
  rateLimitMax: '20',
  visibility: 'all',
  visibilityList: [],
};

export function routerToForm(r: Router): RouterForm {
  return {
    name: r.name,
    description: r.description ?? '',
    scope: r.scope,
    llmBaseUrl: r.llmBaseUrl,
    llmApiKey: '',
    llmModel: r.llmModel,
    maxChainDepth: String(r.maxChainDepth),
    rateLimitWindow: String(r.rateLimitWindow),
    rateLimitMax: String(r.rateLimitMax),
    visibility: r.visibility,
    visibilityList: [...(r.visibilityList ?? [])],
  };
}

/** Field name → i18n key of the problem (keys live in the settings catalogue). */
export type RouterErrors = Partial<Record<keyof RouterForm, string>>;

function cleanList(ids: string[]): string[] {
  return [...new Set(ids.map((s) => s.trim()).filter((s) => s !== ''))];
}

function intIn(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : null;
}

/**
 * Checks `form` and builds the request body. `editing` = PUT (no scope, key optional).
 * Returns errors (field → i18n key) when anything is wrong.
 */
export function routerFormToInput(form: RouterForm, editing: boolean): { input: RouterInput; errors: RouterErrors } {
  const errors: RouterErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'settings.routerErrName';
  else if (name.length > 100) errors.name = 'settings.routerErrNameLong';
  if (form.description.length > 1000) errors.description = 'settings.routerErrDescription';
  const url = form.llmBaseUrl.trim();
  if (!/^https?:\/\/[^\s/]+/i.test(url) || url.length > 500) errors.llmBaseUrl = 'settings.routerErrUrl';
  const key = form.llmApiKey;
  if (!editing && key.trim() === '') errors.llmApiKey = 'settings.routerErrKey';
  else if (key !== '' && key.trim() === '') errors.llmApiKey = 'settings.routerErrKey';
  else if (key.length > 500) errors.llmApiKey = 'settings.routerErrKeyLong';
  if (form.llmModel.trim() === '' || form.llmModel.length > 200) errors.llmModel = 'settings.routerErrModel';
  const depth = intIn(form.maxChainDepth, 1, 100);
  if (depth === null) errors.maxChainDepth = 'settings.routerErrDepth';
  const window = intIn(form.rateLimitWindow, 1, 3600);
  if (window === null) errors.rateLimitWindow = 'settings.routerErrWindow';
  const max = intIn(form.rateLimitMax, 1, 1000);
  if (max === null) errors.rateLimitMax = 'settings.routerErrMax';
  const list = cleanList(form.visibilityList);
  const global = form.scope === 'global';
  if (global && form.visibility !== 'all' && list.length === 0) errors.visibilityList = 'settings.routerErrList';
  if (list.length > 500 || list.some((id) => id.length > 100)) errors.visibilityList = 'settings.routerErrListLong';

  const input: RouterInput = {
    name,
    description: form.description.trim() === '' ? null : form.description,
    llmBaseUrl: url,
    llmModel: form.llmModel.trim(),
    maxChainDepth: depth ?? undefined,
    rateLimitWindow: window ?? undefined,
    rateLimitMax: max ?? undefined,
  };
  if (!editing) input.scope = form.scope;
  if (key !== '') input.llmApiKey = key;
  if (global) {
    input.visibility = form.visibility;
    input.visibilityList = form.visibility === 'all' ? [] : list;
  }
  return { input, errors };
}
