// Every literal translation key the non-chat pages use exists in English (and so, by the parity
// test, in Chinese): a missing key would show its raw name to a person.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogs } from '../../src/i18n/locales';

const pagesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/pages');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

test('literal keys used by the pages exist', () => {
  const own = files(pagesDir).filter((f) => !/(Login|Chat|AuthCallback)Page\.tsx$/.test(f));
  assert.ok(own.length > 10, 'found the page sources');
  const missing: string[] = [];
  const areas = ['agents', 'tasks', 'settings', 'admin', 'serviceAgents', 'common'];
  for (const f of own) {
    const src = fs.readFileSync(f, 'utf8');
    for (const m of src.matchAll(/['`]((?:agents|tasks|settings|admin|serviceAgents|common)\.[A-Za-z0-9_.-]+)['`]/g)) {
      const key = m[1];
      if (!areas.includes(key.split('.')[0])) continue;
      if (!(key in catalogs.en)) missing.push(`${path.basename(f)}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every setting the hub sends has a label and description in both languages', () => {
  const labels = [
    'corsOrigin', 'logLevel', 'metricsAuthEnabled', 'jwtAccessExpiry', 'jwtRefreshExpiry', 'trustProxy', 'oauthGithubClientId',
    'oauthGithubClientSecret', 'oauthGoogleClientId', 'oauthGoogleClientSecret', 'totpIssuer', 'uploadMaxFileSize', 'storageProvider',
    's3Bucket', 's3Region', 's3Endpoint', 's3AccessKeyId', 's3SecretAccessKey', 'clientRateLimitWindow', 'clientRateLimitMax',
    'agentRateLimitWindow', 'agentRateLimitMax', 'maxConnectionsPerUser', 'maxTotalConnections', 'maxGatewaysPerUser', 'maxMessageSize',
    'gatewayMessageSize', 'routerLlmBaseUrl', 'routerLlmApiKey', 'routerLlmModel', 'routerLlmTimeout', 'maxChainDepth', 'vapidPublicKey',
    'vapidPrivateKey', 'vapidSubject', 'orphanFileInterval', 'tokenInterval', 'auditRetentionDays', 'auditCleanupInterval',
    'gatewayCleanupInterval', 'gatewayMaxOfflineDays', 'sentryDsn',
  ];
  assert.equal(labels.length, 42);
  for (const l of labels) {
    for (const lang of ['en', 'zh-CN'] as const) {
      assert.ok(catalogs[lang][`admin.setting_${l}`], `${lang} label ${l}`);
      assert.ok(`admin.setting_${l}Desc` in catalogs[lang], `${lang} description ${l}`);
    }
  }
});
