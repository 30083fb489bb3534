// Pure logic behind the non-chat pages: admin settings edits, router and service-agent forms,
// dashboard history and latency figures, password policy, agent sharing and credential frames.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { SettingItem } from '../../src/api/settings';
import type { AdminMetrics, Histogram } from '../../src/api/adminMetrics';
import { checkSetting, groupChanges, initialInputValue, labelName, MASK, validOrigins } from '../../src/pages/admin/settingsForm';
import { buildConfig, fieldErrorsFromApi, groupProviders, initialValues, parseCustomConfig, schemaFields, withoutMasked } from '../../src/pages/admin/serviceAgentForm';
import {
  combineHistograms,
  formatBytes,
  formatLatency,
  formatUptime,
  HISTORY_POINTS,
  perBucketCounts,
  prettyLabels,
  pushHistory,
  slowestEndpoints,
  sparklinePoints,
  totalMessages,
} from '../../src/pages/admin/metricsView';
import { EMPTY_ROUTER_FORM, routerFormToInput, routerToForm } from '../../src/pages/settings/routerForm';
import { passwordProblems } from '../../src/pages/settings/passwordPolicy';
import { base64UrlToBytes } from '../../src/pages/settings/push';
import { deviceText, gatewayOnline, parseCredentialList, safeHttpUrl, sharingBody, sortAgents } from '../../src/pages/agents/agentView';
import { parseLimit } from '../../src/pages/admin/UserForms';
import type { Agent, Gateway } from '../../src/api/agents';
import { ApiError } from '../../src/api/http';
import { errorText, fieldErrors, validationText } from '../../src/pages/common/errors';
import { parseTime } from '../../src/pages/common/format';

const item = (over: Partial<SettingItem>): SettingItem => ({
  key: 'x',
  value: '',
  type: 'string',
  sensitive: false,
  labelKey: 'adminSettings.x',
  descKey: 'adminSettings.xDesc',
  source: 'default',
  ...over,
});

test('admin settings: only edited keys are sent; a masked secret is never sent back', () => {
  const items = [
    item({ key: 'log.level', type: 'enum', value: 'info', enumValues: ['debug', 'info'] }),
    item({ key: 'upload.maxFileSize', type: 'number', value: '10485760', min: 1024, max: 104857600 }),
    item({ key: 'router.llm.apiKey', sensitive: true, value: 'sk-a' + MASK, source: 'db' }),
    item({ key: 'trust.proxy', type: 'boolean', value: 'false' }),
  ];
  const inputs = Object.fromEntries(items.map((i) => [i.key, initialInputValue(i)]));
  assert.equal(inputs['router.llm.apiKey'], '', 'secrets start empty');
  assert.deepEqual(groupChanges(items, inputs), {});
  inputs['log.level'] = 'debug';
  inputs['upload.maxFileSize'] = ' 2048 ';
  assert.deepEqual(groupChanges(items, inputs), { 'log.level': 'debug', 'upload.maxFileSize': '2048' });
  inputs['router.llm.apiKey'] = 'sk-a' + MASK;
  assert.equal(groupChanges(items, inputs)['router.llm.apiKey'], undefined, 'the mask is not a new key');
  inputs['router.llm.apiKey'] = 'sk-new-key';
  assert.equal(groupChanges(items, inputs)['router.llm.apiKey'], 'sk-new-key');
  assert.equal(groupChanges(items, { ...inputs, 'router.llm.apiKey': '' }, new Set(['router.llm.apiKey']))['router.llm.apiKey'], '', 'clearing sends empty');
});

test('admin settings: the hub’s checks, before the round trip', () => {
  const num = item({ key: 'n', type: 'number', min: 10, max: 20 });
  assert.deepEqual(checkSetting(num, 'abc'), { kind: 'number' });
  assert.deepEqual(checkSetting(num, '9'), { kind: 'min', min: 10 });
  assert.deepEqual(checkSetting(num, '21'), { kind: 'max', max: 20 });
  assert.equal(checkSetting(num, '15'), null);
  assert.deepEqual(checkSetting(item({ type: 'boolean' }), 'yes'), { kind: 'boolean' });
  assert.deepEqual(checkSetting(item({ type: 'enum', enumValues: ['a', 'b'] }), 'c'), { kind: 'enum', values: ['a', 'b'] });
  assert.deepEqual(checkSetting(item({ key: 'jwt.accessExpiry' }), '15 minutes'), { kind: 'duration' });
  assert.equal(checkSetting(item({ key: 'jwt.accessExpiry' }), '15m'), null);
  assert.equal(validOrigins('http://localhost:5173, https://chat.example.com'), true);
  assert.equal(validOrigins('*'), false);
  assert.equal(validOrigins('https://a.example.com/path'), false);
  assert.equal(validOrigins('ftp://a.example.com'), false);
  assert.equal(labelName('adminSettings.corsOrigin'), 'corsOrigin');
});

const schema = {
  type: 'object' as const,
  properties: {
    baseUrl: { type: 'string' as const, format: 'url' },
    apiKey: { type: 'string' as const, minLength: 1 },
    model: { type: 'string' as const, default: 'sonar' },
    maxTokens: { type: 'integer' as const, minimum: 1, maximum: 100000, default: 4096 },
    stability: { type: 'number' as const, minimum: 0, maximum: 1, default: 0.5 },
    size: { type: 'string' as const, enum: ['1024x1024', 'auto'], default: 'auto' },
    systemPrompt: { type: 'string' as const, maxLength: 10000 },
  },
  required: ['baseUrl', 'apiKey', 'model'],
};

test('service agents: fields come from the provider schema', () => {
  const fields = schemaFields(schema);
  const kinds = Object.fromEntries(fields.map((f) => [f.name, f.kind]));
  assert.deepEqual(kinds, { baseUrl: 'url', apiKey: 'secret', model: 'text', maxTokens: 'integer', stability: 'number', size: 'select', systemPrompt: 'textarea' });
  assert.deepEqual(fields.map((f) => f.name), ['baseUrl', 'apiKey', 'model', 'maxTokens', 'size', 'stability', 'systemPrompt'], 'required first, then by name');
  assert.deepEqual(fields.filter((f) => f.required).map((f) => f.name), ['baseUrl', 'apiKey', 'model']);
  const start = initialValues(fields);
  assert.equal(start.model, 'sonar');
  assert.equal(start.maxTokens, '4096');
  const edit = initialValues(fields, { apiKey: 'sk-1••••••••', model: 'gpt-4o', maxTokens: 100 });
  assert.equal(edit.apiKey, '', 'the masked key is not put back in the box');
  assert.equal(edit.model, 'gpt-4o');
});

test('service agents: config is typed, checked, and blanks are dropped on edit', () => {
  const fields = schemaFields(schema);
  const bad = buildConfig(fields, { baseUrl: 'javascript:alert(1)', apiKey: '', model: 'm', maxTokens: '1.5', stability: '2', size: 'huge' }, false);
  assert.deepEqual(Object.keys(bad.problems).sort(), ['apiKey', 'baseUrl', 'maxTokens', 'size', 'stability']);
  const ok = buildConfig(fields, { baseUrl: 'https://api.example.com/v1', apiKey: 'sk-x', model: 'm', maxTokens: '100', stability: '0.25', size: 'auto', systemPrompt: '' }, false);
  assert.deepEqual(ok.problems, {});
  assert.deepEqual(ok.config, { baseUrl: 'https://api.example.com/v1', apiKey: 'sk-x', model: 'm', maxTokens: 100, stability: 0.25, size: 'auto' });
  const edit = buildConfig(fields, { baseUrl: '', apiKey: '', model: 'new', maxTokens: '', stability: '', size: 'auto', systemPrompt: '' }, true);
  assert.deepEqual(edit.problems, {});
  assert.deepEqual(edit.config, { model: 'new', size: 'auto' }, 'the stored key survives the merge');
  assert.deepEqual(parseCustomConfig('{"__proto__": {}}'), { problem: 'validation.configDangerousKey' });
  assert.deepEqual(parseCustomConfig('[1]'), { problem: 'serviceAgents.errJsonObject' });
  assert.deepEqual(parseCustomConfig('{"a": 1}'), { config: { a: 1 } });
  assert.deepEqual(withoutMasked({ apiKey: 'sk-a••••••••', url: 'https://x', n: 3 }), { url: 'https://x', n: 3 }, 'a mask is never sent back');
  assert.deepEqual(fieldErrorsFromApi([{ field: 'config.apiKey', message: 'Required' }, { field: 'name', message: 'x' }]), { apiKey: 'Required', name: 'x' });
  const groups = groupProviders(
    [
      { type: 'b', displayName: 'B', category: 'image', description: '', configSchema: {} },
      { type: 'a', displayName: 'A', category: 'chat', description: '', configSchema: {} },
    ],
    ['chat', 'search', 'image'],
  );
  assert.deepEqual(groups.map((g) => g.category), ['chat', 'image']);
});

test('routers: defaults, checks and the body for create and edit', () => {
  const { errors } = routerFormToInput(EMPTY_ROUTER_FORM, false);
  assert.deepEqual(Object.keys(errors).sort(), ['llmApiKey', 'llmBaseUrl', 'llmModel', 'name']);
  const form = { ...EMPTY_ROUTER_FORM, name: ' R ', llmBaseUrl: 'https://api.example.com/v1', llmApiKey: 'sk-123', llmModel: 'gpt' };
  const created = routerFormToInput(form, false);
  assert.deepEqual(created.errors, {});
  assert.deepEqual(created.input, { name: 'R', description: null, llmBaseUrl: 'https://api.example.com/v1', llmModel: 'gpt', maxChainDepth: 5, rateLimitWindow: 60, rateLimitMax: 20, scope: 'personal', llmApiKey: 'sk-123' });
  const edited = routerFormToInput({ ...form, llmApiKey: '' }, true);
  assert.deepEqual(edited.errors, {});
  assert.equal('llmApiKey' in edited.input, false, 'a blank key keeps the stored one');
  assert.equal('scope' in edited.input, false, 'scope cannot change');
  assert.equal(routerFormToInput({ ...form, maxChainDepth: '101', rateLimitWindow: '0', rateLimitMax: 'x' }, false).errors.maxChainDepth, 'settings.routerErrDepth');
  const global = routerFormToInput({ ...form, scope: 'global', visibility: 'whitelist', visibilityList: [] }, false);
  assert.equal(global.errors.visibilityList, 'settings.routerErrList');
  const g2 = routerFormToInput({ ...form, scope: 'global', visibility: 'blacklist', visibilityList: ['u1', 'u1', ' u2 '] }, false);
  assert.deepEqual(g2.input.visibilityList, ['u1', 'u2']);
  assert.equal(routerFormToInput({ ...form, llmBaseUrl: 'ftp://x' }, false).errors.llmBaseUrl, 'settings.routerErrUrl');
  const back = routerToForm({ id: '1', name: 'n', description: null, scope: 'global', createdById: 'u', llmBaseUrl: 'https://x', llmApiKey: '••••ab', llmModel: 'm', maxChainDepth: 3, rateLimitWindow: 10, rateLimitMax: 2, visibility: 'all', visibilityList: [], createdAt: '', updatedAt: '' });
  assert.equal(back.llmApiKey, '', 'the mask never becomes the form value');
  assert.equal(back.maxChainDepth, '3');
});

test('password policy mirrors the hub', () => {
  assert.deepEqual(passwordProblems('Abcdefg1'), []);
  assert.deepEqual(passwordProblems('abc'), ['validation.passwordMinLength', 'validation.passwordUppercase', 'validation.passwordDigit']);
  assert.deepEqual(passwordProblems('A'.repeat(120) + 'bcdefghi1'), ['validation.passwordMaxLength']);
});

test('admin user limits: empty is the default, otherwise 1–1000', () => {
  assert.equal(parseLimit(''), null);
  assert.equal(parseLimit(' 5 '), 5);
  assert.equal(parseLimit('0'), undefined);
  assert.equal(parseLimit('1001'), undefined);
  assert.equal(parseLimit('2.5'), undefined);
});

const hist = (over: Partial<Histogram>): Histogram => ({ buckets: [0.1, 0.5, 1], counts: [0, 0, 0], sum: 0, count: 0, avg: 0, p50: 0, p95: 0, p99: 0, ...over });
const metrics = (messages: number, clients = 1): AdminMetrics => ({
  connections: { clients, gateways: 0, onlineUsers: 1, connectedAgents: 0 },
  process: { uptimeSeconds: 1, heapUsedBytes: 1, rssBytes: 1 },
  infrastructure: { redisEnabled: false },
  activity: { messagesTotal: { 'agentim_messages_total{type="text"}': messages - 1, other: 1 }, activeRooms: 0 },
  performance: { agentResponse: {}, httpRequest: {} },
  timestamp: '',
});

test('dashboard: history keeps the newest 60 points and message deltas', () => {
  let h = pushHistory([], metrics(10), 0);
  assert.equal(h[0].messagesDelta, 0);
  h = pushHistory(h, metrics(15), 1);
  assert.equal(h[1].messagesDelta, 5);
  h = pushHistory(h, metrics(3), 2);
  assert.equal(h[2].messagesDelta, 0, 'a restart never shows negative traffic');
  for (let i = 0; i < 100; i++) h = pushHistory(h, metrics(20, i), 10 + i);
  assert.equal(h.length, HISTORY_POINTS);
  assert.equal(h[h.length - 1].clients, 99);
  assert.equal(totalMessages(metrics(15)), 15);
});

test('dashboard: histograms combine per bucket; cumulative counts are recognised', () => {
  assert.deepEqual(perBucketCounts({ counts: [1, 2, 3], count: 6 }), [1, 2, 3]);
  assert.deepEqual(perBucketCounts({ counts: [1, 3, 6], count: 7 }), [1, 2, 3, 1]);
  const a = hist({ counts: [10, 0, 0], count: 10, sum: 0.5, p50: 0.1, p95: 0.1, p99: 0.1 });
  const b = hist({ counts: [0, 0, 10], count: 10, sum: 8, p50: 1, p95: 1, p99: 1 });
  const c = combineHistograms({ a, b })!;
  assert.equal(c.count, 20);
  assert.equal(c.avg, 8.5 / 20);
  assert.equal(c.p50, 0.1);
  assert.equal(c.p95, 1);
  assert.equal(combineHistograms({}), null);
  const slow = slowestEndpoints({ 'method="GET",path="/api/a"': a, '{"method":"POST","path":"/api/b"}': b });
  assert.deepEqual(slow.map((r) => r.label), ['POST /api/b', 'GET /api/a']);
  assert.equal(prettyLabels('_'), '—');
});

test('dashboard: formatting', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GB');
  assert.equal(formatUptime(42), '42s');
  assert.equal(formatUptime(93784), '1d 2h 3m');
  assert.equal(formatLatency(0.0005), '500 µs');
  assert.equal(formatLatency(0.0123), '12.3 ms');
  assert.equal(formatLatency(1.5), '1.50 s');
  assert.equal(sparklinePoints([1, 1], 100, 10), '0.0,5.0 100.0,5.0');
  assert.equal(sparklinePoints([7], 100, 10), '0.0,5.0 100.0,5.0');
  assert.equal(sparklinePoints([], 100, 10), '');
  assert.equal(sparklinePoints([0, 10], 100, 10), '0.0,10.0 100.0,0.0');
});

test('agents: sharing body, device, liveness, safe links, credential frames', () => {
  assert.deepEqual(sharingBody('whitelist', []), { problem: 'agents.errNoUsers' });
  assert.deepEqual(sharingBody('whitelist', ['a', 'a', 'b']).body, { visibility: 'whitelist', visibilityList: ['a', 'b'] });
  assert.deepEqual(sharingBody('all', ['a']).body, { visibility: 'all', visibilityList: [] });
  assert.equal(deviceText({ hostname: 'box', platform: 'linux', arch: 'x64' }), 'box · linux/x64');
  assert.equal(deviceText({ hostname: '', platform: 'darwin', arch: '' }), 'darwin');
  assert.equal(gatewayOnline({ disconnectedAt: null } as Gateway), true);
  assert.equal(gatewayOnline({ disconnectedAt: '2026-01-01T00:00:00Z' } as Gateway), false);
  assert.equal(safeHttpUrl('javascript:alert(1)'), null);
  assert.equal(safeHttpUrl('data:text/html,x'), null);
  assert.equal(safeHttpUrl('https://claude.ai/oauth?x=1'), 'https://claude.ai/oauth?x=1');
  assert.equal(parseCredentialList({ gatewayId: 'g', agentType: 'codex', credentials: 'nope' }), null);
  const parsed = parseCredentialList({ gatewayId: 'g', agentType: 'codex', credentials: [{ id: 'c1', name: 'n', mode: 'weird', isDefault: 1 }, null, { name: 'no id' }] })!;
  assert.equal(parsed.credentials.length, 1);
  assert.equal(parsed.credentials[0].mode, 'api');
  assert.equal(parsed.credentials[0].isDefault, true);
  const sorted = sortAgents([
    { name: 'b', status: 'offline' },
    { name: 'a', status: 'offline' },
    { name: 'z', status: 'online' },
  ] as Agent[]);
  assert.deepEqual(sorted.map((a) => a.name), ['z', 'a', 'b']);
});

test('push: the VAPID key decodes from base64url', () => {
  assert.deepEqual([...base64UrlToBytes('AQID_-8')], [1, 2, 3, 255, 239]);
});

test('errors: the hub’s text is shown, validation keys translated, fields named', () => {
  assert.equal(errorText(new ApiError(409, 'Username already taken')), 'Username already taken');
  const v = new ApiError(400, 'Validation failed', [
    { field: 'password', message: 'validation.passwordUppercase' },
    { field: '(root)', message: 'Required' },
  ]);
  assert.equal(errorText(v), 'Validation failed: password: The password needs an uppercase letter.; Required');
  assert.deepEqual(fieldErrors(v), { password: 'The password needs an uppercase letter.', '(root)': 'Required' });
  assert.equal(validationText('validation.unknownKey'), 'validation.unknownKey', 'an unknown key passes through');
  assert.equal(errorText(new Error('boom')), 'boom');
});

test('timestamps: ISO and the PostgreSQL text form both parse', () => {
  assert.equal(parseTime('2025-01-15T10:30:00.123Z')?.toISOString(), '2025-01-15T10:30:00.123Z');
  assert.equal(parseTime('2025-01-15 10:30:00.123+00')?.toISOString(), '2025-01-15T10:30:00.123Z');
  assert.equal(parseTime('not a date'), null);
  assert.equal(parseTime(null), null);
});
