// Every key exists in every language, no value is empty, and placeholders match.
import test from 'node:test';
import assert from 'node:assert/strict';
import { areas, catalogs } from '../../src/i18n/locales';
import { detectLanguage, format } from '../../src/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');

test('English and Simplified Chinese have the same areas and keys', () => {
  assert.deepEqual(Object.keys(areas['zh-CN']).sort(), Object.keys(areas.en).sort());
  const en = Object.keys(catalogs.en).sort();
  const zh = Object.keys(catalogs['zh-CN']).sort();
  assert.deepEqual(en.filter((k) => !zh.includes(k)), [], 'missing in zh-CN');
  assert.deepEqual(zh.filter((k) => !en.includes(k)), [], 'missing in en');
});

test('a value empty in one language is empty in both, and placeholders match', () => {
  for (const [key, value] of Object.entries(catalogs.en)) {
    const zh = catalogs['zh-CN'][key] ?? '';
    assert.equal(!value.trim(), !zh.trim(), `${key} is empty in only one language`);
    assert.equal(placeholders(zh), placeholders(value), `placeholders differ for ${key}`);
  }
});

test('the names tests and screen readers rely on are exact in English', () => {
  const en = catalogs.en;
  assert.equal(en['auth.username'], 'Username');
  assert.equal(en['auth.password'], 'Password');
  assert.equal(en['auth.verificationCode'], 'Verification code');
  assert.equal(en['auth.signIn'], 'Sign in');
  assert.equal(en['common.signOut'], 'Sign out');
  assert.equal(en['chat.message'], 'Message');
  assert.equal(en['chat.send'], 'Send');
  assert.equal(en['chat.messages'], 'Messages');
  assert.equal(en['chat.newRoom'], 'New room');
  assert.equal(en['chat.roomName'], 'Room name');
  assert.equal(en['chat.create'], 'Create');
  assert.equal(en['chat.allow'], 'Allow');
  assert.equal(en['chat.allowAlways'], 'Allow always');
  assert.equal(en['chat.deny'], 'Deny');
  assert.equal(en['chat.stop'], 'Stop');
});

test('language detection: stored choice first, then the browser, else English', () => {
  assert.equal(detectLanguage('zh-CN', ['en-US']), 'zh-CN');
  assert.equal(detectLanguage(null, ['zh-TW', 'en']), 'zh-CN');
  assert.equal(detectLanguage(null, ['fr-FR']), 'en');
  assert.equal(detectLanguage('xx', ['en-GB']), 'en');
  assert.equal(format('{n} new', { n: 3 }), '3 new');
});
