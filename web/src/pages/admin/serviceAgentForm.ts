// Pure logic behind the service-agent form: fields generated from a provider's config schema
// (http-api.md §14), their starting values, checks, and the config object to send. On edit the
// hub merges the config into the stored one, so a field left blank is simply not sent — that is
// how a masked API key survives.
import type { ConfigSchema, Provider, SchemaProperty, ServiceAgentCategory } from '../../api/serviceAgents';

export type FieldKind = 'text' | 'secret' | 'url' | 'textarea' | 'number' | 'integer' | 'boolean' | 'select' | 'list';

export interface ConfigField {
  name: string;
  kind: FieldKind;
  required: boolean;
  options?: string[];
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  defaultValue?: string;
}

const SECRET_NAMES = /(api[-_]?key|secret|token|password)$/i;

export function fieldKind(name: string, p: SchemaProperty): FieldKind {
  if (p.enum && p.enum.length > 0) return 'select';
  switch (p.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'array':
      return 'list';
    default:
      if (SECRET_NAMES.test(name)) return 'secret';
      if (p.format === 'url') return 'url';
      if ((p.maxLength ?? 0) > 500 || /prompt/i.test(name)) return 'textarea';
      return 'text';
  }
}

export function schemaFields(schema: ConfigSchema | undefined): ConfigField[] {
  const requiredList = schema?.required ?? [];
  const required = new Set(requiredList);
  // The hub's JSON object order is not stable: required fields first in their listed order,
  // then the optional ones by name, so the form looks the same on every load.
  const rank = (name: string) => (required.has(name) ? requiredList.indexOf(name) : requiredList.length);
  const entries = Object.entries(schema?.properties ?? {}).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  return entries.map(([name, p]) => ({
    name,
    kind: fieldKind(name, p),
    required: required.has(name),
    options: p.enum?.map(String),
    min: p.minimum,
    max: p.maximum,
    minLength: p.minLength,
    maxLength: p.maxLength,
    defaultValue: p.default === undefined || p.default === null ? undefined : Array.isArray(p.default) ? p.default.join('\n') : String(p.default),
  }));
}

/** Input values to start from: the stored config on edit (secrets blank), else the defaults. */
export function initialValues(fields: ConfigField[], stored?: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = stored?.[f.name];
    if (f.kind === 'secret') out[f.name] = '';
    else if (v !== undefined && v !== null) out[f.name] = Array.isArray(v) ? v.map(String).join('\n') : String(v);
    else out[f.name] = f.defaultValue ?? (f.kind === 'boolean' ? 'false' : '');
  }
  return out;
}

/** Problem keys are in the serviceAgents catalogue; `vars` fills them. */
export interface FieldProblem {
  key: string;
  vars?: Record<string, string | number>;
}

/**
 * Builds `config` from the inputs. `editing`: a blank field is left out (the stored value stays),
 * so required fields may be blank. Returns problems per field.
 */
export function buildConfig(
  fields: ConfigField[],
  values: Record<string, string>,
  editing: boolean,
): { config: Record<string, unknown>; problems: Record<string, FieldProblem> } {
  const config: Record<string, unknown> = {};
  const problems: Record<string, FieldProblem> = {};
  for (const f of fields) {
    const raw = values[f.name] ?? '';
    const text = f.kind === 'textarea' || f.kind === 'secret' ? raw : raw.trim();
    if (f.kind === 'boolean') {
      config[f.name] = raw === 'true';
      continue;
    }
    if (text.trim() === '') {
      if (f.required && !editing) problems[f.name] = { key: 'serviceAgents.errRequired' };
      continue;
    }
    switch (f.kind) {
      case 'number':
      case 'integer': {
        const n = Number(text);
        if (!Number.isFinite(n) || (f.kind === 'integer' && !Number.isInteger(n))) {
          problems[f.name] = { key: f.kind === 'integer' ? 'serviceAgents.errInteger' : 'serviceAgents.errNumber' };
        } else if (f.min !== undefined && n < f.min) problems[f.name] = { key: 'serviceAgents.errMin', vars: { min: f.min } };
        else if (f.max !== undefined && n > f.max) problems[f.name] = { key: 'serviceAgents.errMax', vars: { max: f.max } };
        else config[f.name] = n;
        break;
      }
      case 'list':
        config[f.name] = text.split(/\n|,/).map((s) => s.trim()).filter((s) => s !== '');
        break;
      case 'select':
        if (f.options && !f.options.includes(text)) problems[f.name] = { key: 'serviceAgents.errChoice' };
        else config[f.name] = text;
        break;
      default:
        if (f.kind === 'url' && !/^https?:\/\/\S+$/i.test(text)) problems[f.name] = { key: 'serviceAgents.errUrl' };
        else if (f.minLength !== undefined && text.length < f.minLength)
          problems[f.name] = { key: 'serviceAgents.errMinLength', vars: { min: f.minLength } };
        else if (f.maxLength !== undefined && text.length > f.maxLength)
          problems[f.name] = { key: 'serviceAgents.errMaxLength', vars: { max: f.maxLength } };
        else config[f.name] = text;
    }
  }
  return { config, problems };
}

/**
 * A stored config as the hub shows it, minus masked secrets (`sk-a••••••••`): on edit the hub
 * merges what we send into the stored config, so a left-out key keeps its real value, while a
 * mask sent back would overwrite it.
 */
export function withoutMasked(config: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config ?? {})) if (!(typeof v === 'string' && v.includes('\u2022\u2022\u2022\u2022'))) out[k] = v;
  return out;
}

/** Free-form JSON config of the `custom` type: an object without dangerous keys. */
export function parseCustomConfig(text: string): { config?: Record<string, unknown>; problem?: string } {
  if (text.trim() === '') return { config: {} };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { problem: 'serviceAgents.errJson' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { problem: 'serviceAgents.errJsonObject' };
  for (const k of Object.keys(v as object)) if (k === '__proto__' || k === 'constructor' || k === 'prototype') return { problem: 'validation.configDangerousKey' };
  return { config: v as Record<string, unknown> };
}

/** Providers grouped by category in the hub's category order; empty groups dropped. */
export function groupProviders(providers: Provider[], order: ServiceAgentCategory[]): { category: ServiceAgentCategory; providers: Provider[] }[] {
  const known = new Set<string>(order);
  const cats = [...order, ...new Set(providers.map((p) => p.category).filter((c) => !known.has(c)))] as ServiceAgentCategory[];
  return cats.map((category) => ({ category, providers: providers.filter((p) => p.category === category) })).filter((g) => g.providers.length > 0);
}

/** Hub validation errors name fields `config.<name>`: map them onto our fields. */
export function fieldErrorsFromApi(fields: { field: string; message: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields ?? []) {
    const name = f.field.startsWith('config.') ? f.field.slice(7) : f.field || '(root)';
    if (!out[name]) out[name] = f.message;
  }
  return out;
}
