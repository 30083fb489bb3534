// The /ws/client connection: auth first, queue until authenticated, pacing under the hub's
// frame limit, heartbeat, back-off and reconnect with a refreshed token.
import './fakeBrowser';
import test, { mock } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSocket } from './fakeBrowser';
import { connect, disconnect, send, on, connectionState, isAuthenticated } from '../../src/realtime/socket';
import { setAccessToken } from '../../src/api/http';

const flush = () => new Promise<void>((r) => setImmediate(r));
let refreshes = 0;
(globalThis as any).fetch = async () => {
  refreshes++;
  return new Response(JSON.stringify({ ok: true, data: { accessToken: `fresh${refreshes}` } }), { status: 200 });
};

test('socket lifecycle', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
  t.after(() => {
    disconnect();
    mock.timers.reset();
  });
  setAccessToken('tok');
  const seen: string[] = [];
  const off = on('server:new_message', (f) => seen.push(f.message.id));

  connect();
  const ws = FakeSocket.all.at(-1)!;
  assert.equal(ws.url, 'ws://hub.test/ws/client');
  assert.equal(connectionState.get(), 'connecting');

  // Frames before authentication wait in the queue; "no queue" sends are refused.
  assert.equal(send({ type: 'client:join_room', roomId: 'r1' }), true);
  assert.equal(send({ type: 'client:typing', roomId: 'r1' }, false), false);
  ws.open();
  assert.deepEqual(ws.sent[0], { type: 'client:auth', token: 'tok', protocolVersion: '1' });
  assert.deepEqual(ws.types(), ['client:auth']);
  ws.receive({ type: 'server:auth_result', ok: true, userId: 'u1' });
  assert.equal(isAuthenticated(), true);
  assert.equal(connectionState.get(), 'open');
  assert.deepEqual(ws.types(), ['client:auth', 'client:join_room']);

  await t.test('handlers get their frames until unsubscribed', () => {
    ws.receive({ type: 'server:new_message', message: { id: 'm1' } });
    off();
    ws.receive({ type: 'server:new_message', message: { id: 'm2' } });
    assert.deepEqual(seen, ['m1']);
  });

  await t.test('at most 25 frames per 10 s go out; the rest follow when the window moves', () => {
    const before = ws.sent.length;
    for (let i = 0; i < 30; i++) send({ type: 'client:typing', roomId: 'r' + i });
    const burst = ws.sent.length - before;
    assert.equal(burst, 24, 'the join already used one of the 25');
    mock.timers.tick(10_100);
    assert.equal(ws.sent.length - before, 30);
  });

  await t.test('a ping every 30 s; no pong within 15 s closes and reconnects with a refreshed token', async () => {
    mock.timers.tick(30_000);
    assert.equal(ws.sent.at(-1).type, 'client:ping');
    mock.timers.tick(15_000);
    assert.equal(ws.readyState, FakeSocket.CLOSED);
    assert.equal(connectionState.get(), 'reconnecting');
    const count = FakeSocket.all.length;
    mock.timers.tick(999);
    await flush();
    assert.equal(FakeSocket.all.length, count, 'waits 1 s before the first retry');
    mock.timers.tick(1);
    await flush();
    await flush();
    const next = FakeSocket.all.at(-1)!;
    assert.notEqual(next, ws);
    next.open();
    assert.equal(next.sent[0].token, `fresh${refreshes}`);
    next.receive({ type: 'server:auth_result', ok: true, userId: 'u1' });
    assert.equal(connectionState.get(), 'open');
  });

  await t.test('back-off grows by 1.5 per failed attempt', async () => {
    let sock = FakeSocket.all.at(-1)!;
    sock.close(); // attempt 0 → 1 s
    mock.timers.tick(1000);
    await flush();
    await flush();
    sock = FakeSocket.all.at(-1)!;
    const count = FakeSocket.all.length;
    sock.close(); // never authenticated: next wait is 1.5 s
    mock.timers.tick(1400);
    await flush();
    assert.equal(FakeSocket.all.length, count);
    mock.timers.tick(100);
    await flush();
    await flush();
    assert.equal(FakeSocket.all.length, count + 1);
  });
});
