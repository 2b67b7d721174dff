import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VenueChoices } from '../../../engine/api/contract.ts';
import { Engine } from '../../../engine/api/engine.ts';
import { SimClock } from '../../../engine/core/clock.ts';
import { MemorySecretStore } from '../../../engine/host/secrets/secret-store.ts';
import { Workstation } from '../../../engine/host/workstation.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const flush = async (clock: SimClock, ms = 50): Promise<void> => {
  for (let i = 0; i < ms; i++) {
    clock.advance(1);
    for (let k = 0; k < 4; k++) await Promise.resolve();
  }
};

function rig() {
  const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
  const dataDir = mkdtempSync(join(tmpdir(), 'mmws-ws-'));
  dirs.push(dataDir);
  const secrets = new MemorySecretStore(clock);
  const station = new Workstation({
    clock,
    base: { dataDir, seed: 3, noStore: true },
    secrets,
    bybit: { restUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9' },
    mexc: { restUrl: 'http://127.0.0.1:7', wsUrl: 'ws://127.0.0.1:7/ws' },
  });
  const engine = new Engine({ clock, session: station });
  return { clock, engine, station, secrets };
}

describe('Workstation: the host’s own commands', () => {
  it('saves credentials into the secret store and answers only whether they exist', async () => {
    const { engine, secrets } = rig();
    const secret = 'planted-SECRET-0123456789';
    const saved = await engine.invoke('credentials.save', {
      venue: 'bybit',
      env: 'testnet',
      apiKey: 'KEY-abcdefgh-WXYZ',
      apiSecret: secret,
    });
    expect(saved).toMatchObject({ ok: true, value: { exists: true, keyHint: 'WXYZ' } });
    expect(JSON.stringify(saved)).not.toContain(secret);
    expect(await secrets.load({ venue: 'bybit', env: 'testnet' })).toEqual({
      apiKey: 'KEY-abcdefgh-WXYZ',
      apiSecret: secret,
    });
    const choices = await engine.invoke('venue.choices', {});
    expect(choices.ok).toBe(true);
    if (!choices.ok) return;
    const value = choices.value as VenueChoices;
    expect(JSON.stringify(value)).not.toContain(secret);
    const testnet = value.bybit.envs.find((e) => e.env === 'testnet')!;
    expect(testnet).toMatchObject({ restUrl: 'http://127.0.0.1:9', credentials: { exists: true } });
    expect(value.bybit.envs.find((e) => e.env === 'mainnet')!.credentials.exists).toBe(false);
    // Paper: mainnet's public data at the configured endpoints, and the simulated account it starts with.
    expect(value.paper).toEqual({
      bybit: { env: 'mainnet', restUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9' },
      mexc: { restUrl: 'http://127.0.0.1:7', wsUrl: 'ws://127.0.0.1:7/ws' },
      balances: { USDT: '100000', BTC: '0.1', ETH: '2' },
    });
    // MEXC: one key set, its real account, kept apart from Bybit's.
    expect(value.mexc).toEqual({
      restUrl: 'http://127.0.0.1:7',
      wsUrl: 'ws://127.0.0.1:7/ws',
      credentials: { exists: false, savedAt: null, keyHint: null },
    });
    const mexc = await engine.invoke('credentials.save', {
      venue: 'mexc',
      env: 'mainnet',
      apiKey: 'mx0-key-abcdQRST',
      apiSecret: secret,
    });
    expect(mexc).toMatchObject({ ok: true, value: { exists: true, keyHint: 'QRST' } });
    expect(await secrets.load({ venue: 'mexc', env: 'mainnet' })).toEqual({
      apiKey: 'mx0-key-abcdQRST',
      apiSecret: secret,
    });
    const wrongEnv = await engine.invoke('credentials.save', {
      venue: 'mexc',
      env: 'testnet',
      apiKey: 'mx0-key-abcdQRST',
      apiSecret: secret,
    });
    expect(wrongEnv).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/MEXC has only its real account/) as string },
    });
    expect(JSON.stringify(wrongEnv)).not.toContain(secret);
    const again = (await engine.invoke('venue.choices', {})) as { ok: true; value: VenueChoices };
    expect(again.value.mexc.credentials).toMatchObject({ exists: true, keyHint: 'QRST' });
    expect(again.value.bybit.envs.find((e) => e.env === 'mainnet')!.credentials.exists).toBe(false);
    expect(await engine.invoke('credentials.delete', { venue: 'bybit', env: 'testnet' })).toMatchObject({
      ok: true,
      value: { deleted: true },
    });
  });

  it('refuses a malformed credential without echoing it', async () => {
    const { engine } = rig();
    const r = await engine.invoke('credentials.save', {
      venue: 'bybit',
      env: 'demo',
      apiKey: 'has a space in it',
      apiSecret: 'short',
    });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('has a space');
    expect(JSON.stringify(r)).not.toContain('short"');
  });

  it('refuses mainnet without the typed confirmation, and Bybit without saved credentials, leaving the session as it was', async () => {
    const { engine, clock, station } = rig();
    const start = engine.start();
    await flush(clock, 200);
    await start;
    const before = station.session();
    const mainnet = await engine.invoke('venue.connect', {
      venue: 'bybit',
      env: 'mainnet',
      symbols: ['BTCUSDT'],
    });
    expect(mainnet).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/type MAINNET/) as string },
    });
    const testnet = await engine.invoke('venue.connect', {
      venue: 'bybit',
      env: 'testnet',
      symbols: ['BTCUSDT'],
    });
    expect(testnet).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/no API key is saved/) as string },
    });
    expect(station.session()).toBe(before);
    expect(station.session().node.isRunning()).toBe(true);
    const stop = engine.stop();
    await flush(clock, 200);
    await stop;
  });

  it('refuses MEXC without the typed confirmation, on another environment or without a key, and linear paper, leaving the session', async () => {
    const { engine, clock, station } = rig();
    const start = engine.start();
    await flush(clock, 200);
    await start;
    const before = station.session();
    const unconfirmed = await engine.invoke('venue.connect', { venue: 'mexc', symbols: ['BTCUSDT'] });
    expect(unconfirmed).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/MEXC trades real money .*type MAINNET/) as string },
    });
    const testnet = await engine.invoke('venue.connect', {
      venue: 'mexc',
      env: 'testnet',
      symbols: ['BTCUSDT'],
      confirm: 'MAINNET',
    });
    expect(testnet).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const noKey = await engine.invoke('venue.connect', {
      venue: 'mexc',
      symbols: ['BTCUSDT'],
      confirm: 'MAINNET',
    });
    expect(noKey).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/no API key is saved for MEXC/) as string },
    });
    const linear = await engine.invoke('venue.connect', {
      venue: 'paper',
      category: 'linear',
      symbols: ['BTCUSDT'],
    });
    expect(linear).toMatchObject({ ok: false, error: { message: expect.stringMatching(/spot/) as string } });
    const none = await engine.invoke('venue.connect', { venue: 'paper' });
    expect(none).toMatchObject({ ok: false, error: { message: expect.stringMatching(/symbols/) as string } });
    expect(station.session()).toBe(before);
    const stop = engine.stop();
    await flush(clock, 200);
    await stop;
  });

  it('paper needs no saved key: an unreachable data source falls back to the simulator with the reason', async () => {
    const { engine, clock, station } = rig();
    const start = engine.start();
    await flush(clock, 200);
    await start;
    const pending = engine.invoke('venue.connect', { venue: 'paper', symbols: ['BTCUSDT'] });
    const status = { done: false };
    void pending.then(() => (status.done = true));
    while (!status.done) await flush(clock, 100);
    const r = await pending;
    // It got as far as the network (no "no API key is saved"), which port 9 does not answer.
    expect(r).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/paper:bybit did not start: Bybit .*instruments/) as string },
    });
    expect(station.session().venue.id).toBe('sim');
    const stop = engine.stop();
    await flush(clock, 200);
    await stop;
  });

  it('falls back to the simulator with the reason shown when the new venue does not start', async () => {
    const { engine, clock, station } = rig();
    const start = engine.start();
    await flush(clock, 200);
    await start;
    await engine.invoke('credentials.save', {
      venue: 'bybit',
      env: 'testnet',
      apiKey: 'KEY-abcdefgh',
      apiSecret: 'SECRET-abcdefgh',
    });
    // Port 9 answers nothing: the venue cannot start.
    const pending = engine.invoke('venue.connect', { venue: 'bybit', env: 'testnet', symbols: ['BTCUSDT'] });
    const status = { done: false };
    void pending.then(() => (status.done = true));
    while (!status.done) await flush(clock, 100);
    const r = await pending;
    expect(r).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/bybit:testnet did not start/) as string },
    });
    expect(station.session().venue.id).toBe('sim');
    expect(engine.state().link.error).toMatch(/did not start/);
    const stop = engine.stop();
    await flush(clock, 200);
    await stop;
  });

  it('a venue switch completes the running recording; the next session lists it from the same file', async () => {
    const { engine, clock, station } = rig();
    const start = engine.start();
    await flush(clock, 200);
    await start;
    const rec = engine.invoke('recording.start', { name: 'before-switch' });
    await flush(clock, 1);
    expect(await rec).toMatchObject({ ok: true });
    await flush(clock, 2_000);
    const before = station.session().recordings.status();
    expect(before?.events).toBeGreaterThan(0);
    const pending = engine.invoke('venue.connect', { venue: 'sim' });
    const status = { done: false };
    void pending.then(() => (status.done = true));
    while (!status.done) await flush(clock, 100);
    expect(await pending).toMatchObject({ ok: true });
    expect(station.session().recordings.status()).toBeNull();
    const listed = await engine.invoke('recordings.list', {});
    expect(listed).toMatchObject({
      ok: true,
      value: { recordings: [{ name: 'before-switch', status: 'complete' }] },
    });
    if (listed.ok)
      expect(
        (listed.value as { recordings: { events: number }[] }).recordings[0]!.events,
      ).toBeGreaterThanOrEqual(before!.events);
    const stop = engine.stop();
    await flush(clock, 200);
    await stop;
  });
});
