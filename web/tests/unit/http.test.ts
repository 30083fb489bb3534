// The REST client against a stubbed fetch: envelopes, errors, one silent refresh on 401.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, apiEnvelope, ApiError, setAccessToken, getAccessToken, isTokenRejection } from '../../src/api/http';

type Call = { url: string; method: string; auth?: string; body?: string };
function stub(responses: ((c: Call) => { status: number; body: unknown })[]) {
  const calls: Call[] = [];
  (globalThis as any).fetch = async (url: string, init: RequestInit = {}) => {
    const headers = (init.headers ?? {}) as Record<string, string>;
    const call = { url, method: init.method ?? 'GET', auth: headers.Authorization, body: init.body as string | undefined };
    calls.push(call);
    const next = responses.shift();
    if (!next) throw new Error('unexpected fetch ' + url);
    const r = next(call);
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    return new Response(text, { status: r.status, headers: { 'Content-Type': 'application/json' } });
  };
  return calls;
}

test('returns data of the envelope, sends the bearer token and a JSON body', async () => {
  setAccessToken('tok1');
  const calls = stub([() => ({ status: 201, body: { ok: true, data: { id: 'r1' } } })]);
  const room = await api<{ id: string }>('POST', '/rooms', { name: 'x' });
  assert.deepEqual(room, { id: 'r1' });
  assert.equal(calls[0].url, '/api/rooms');
  assert.equal(calls[0].auth, 'Bearer tok1');
  assert.equal(calls[0].body, '{"name":"x"}');
});

test('the whole envelope keeps total and pagination', async () => {
  stub([() => ({ status: 200, body: { ok: true, data: [], total: 7 } })]);
  const env = await apiEnvelope('GET', '/users');
  assert.equal(env.total, 7);
});

test('an error envelope throws ApiError with the status and the server text', async () => {
  stub([() => ({ status: 409, body: { ok: false, error: 'Member already in room' } })]);
  await assert.rejects(api('POST', '/rooms/r/members', {}), (e: unknown) => e instanceof ApiError && e.status === 409 && e.message === 'Member already in room');
});

test('a plain-text 404 still becomes an ApiError', async () => {
  stub([() => ({ status: 404, body: '404 Not Found' })]);
  await assert.rejects(api('DELETE', '/nothing'), (e: unknown) => e instanceof ApiError && e.status === 404 && e.message === '404 Not Found');
});

test('401: one refresh with the cookie, then the request again with the new token', async () => {
  setAccessToken('old');
  const calls = stub([
    () => ({ status: 401, body: { ok: false, error: 'Invalid or expired token' } }),
    () => ({ status: 200, body: { ok: true, data: { accessToken: 'new' } } }),
    (c) => ({ status: c.auth === 'Bearer new' ? 200 : 401, body: { ok: true, data: 'fine' } }),
  ]);
  assert.equal(await api('GET', '/rooms'), 'fine');
  assert.deepEqual(calls.map((c) => c.url), ['/api/rooms', '/api/auth/refresh', '/api/rooms']);
  assert.equal(getAccessToken(), 'new');
});

test('a wrong password on login is not mistaken for an expired token', async () => {
  setAccessToken(null);
  const calls = stub([() => ({ status: 401, body: { ok: false, error: 'Invalid credentials' } })]);
  await assert.rejects(api('POST', '/auth/login', { username: 'a', password: 'b' }), /Invalid credentials/);
  assert.equal(calls.length, 1);
});

test('GET is retried on 503 (twice at most), POST is not', async () => {
  const calls = stub([
    () => ({ status: 503, body: { ok: false, error: 'busy' } }),
    () => ({ status: 200, body: { ok: true, data: 1 } }),
  ]);
  assert.equal(await api('GET', '/rooms'), 1);
  assert.equal(calls.length, 2);
  const calls2 = stub([() => ({ status: 503, body: { ok: false, error: 'busy' } })]);
  await assert.rejects(api('POST', '/rooms', {}), /busy/);
  assert.equal(calls2.length, 1);
});

test('a 401 that is not about the token is not retried: a wrong current password goes out once', async () => {
  setAccessToken('tok');
  const calls = stub([() => ({ status: 401, body: { ok: false, error: 'Invalid password' } })]);
  await assert.rejects(api('POST', '/auth/disable-totp', { password: 'wrong' }), (e: unknown) => e instanceof ApiError && e.status === 401 && e.message === 'Invalid password');
  assert.deepEqual(calls.map((c) => c.url), ['/api/auth/disable-totp']);
  assert.equal(getAccessToken(), 'tok', 'the token is kept');
  const again = stub([() => ({ status: 401, body: { ok: false, error: 'Current password is incorrect' } })]);
  await assert.rejects(api('PUT', '/users/me/password', { currentPassword: 'x', newPassword: 'y' }), /Current password is incorrect/);
  assert.equal(again.length, 1);
});

test('every token rejection text of the hub refreshes once and repeats the request', async () => {
  for (const text of ['Unauthorized', 'Invalid or expired token', 'Token revoked', 'Token has been revoked', 'Invalid token type']) {
    await new Promise((r) => setTimeout(r, 1)); // the shared refresh is released on the next tick
    setAccessToken('old');
    const calls = stub([
      () => ({ status: 401, body: { ok: false, error: text } }),
      () => ({ status: 200, body: { ok: true, data: { accessToken: 'fresh' } } }),
      (c) => ({ status: c.auth === 'Bearer fresh' ? 200 : 401, body: { ok: true, data: 'done' } }),
    ]);
    assert.equal(await api('POST', '/users/me/password', { currentPassword: 'a', newPassword: 'b' }), 'done', text);
    assert.deepEqual(calls.map((c) => c.url), ['/api/users/me/password', '/api/auth/refresh', '/api/users/me/password'], text);
  }
});

test('isTokenRejection knows the hub texts only', () => {
  assert.equal(isTokenRejection('Invalid or expired token'), true);
  assert.equal(isTokenRejection('Invalid password'), false);
  assert.equal(isTokenRejection('Invalid TOTP code'), false);
  assert.equal(isTokenRejection(undefined), false);
});
