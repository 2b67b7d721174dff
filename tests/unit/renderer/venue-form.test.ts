import { describe, expect, it } from 'vitest';
import { commandSchemas, MAINNET_CONFIRMATION } from '../../../engine/api/contract.ts';
import {
  connectRequest,
  describeBalances,
  describeCredential,
  describeVenue,
  formatClockOffset,
  formatSavedAt,
  initialForm,
  modeOf,
  needsConfirmation,
  parseSymbols,
  rateHeadroom,
  type ConnectForm,
} from '../../../renderer/src/venue-form.ts';

const bybit = (change: Partial<ConnectForm> = {}): ConnectForm => ({
  venue: 'bybit',
  env: 'testnet',
  category: 'linear',
  symbols: 'BTCUSDT',
  confirm: '',
  ...change,
});

describe('connect form', () => {
  it('opens on what runs now, on testnet linear BTCUSDT otherwise, and never proposes mainnet', () => {
    expect(initialForm(null)).toEqual({
      venue: 'sim',
      env: 'testnet',
      category: 'linear',
      symbols: 'BTCUSDT',
      confirm: '',
    });
    expect(
      initialForm({ venue: 'bybit', env: 'demo', category: 'spot', symbols: ['BTCUSDT', 'ETHUSDT'] }),
    ).toEqual({ venue: 'bybit', env: 'demo', category: 'spot', symbols: 'BTCUSDT, ETHUSDT', confirm: '' });
    expect(
      initialForm({ venue: 'bybit', env: 'mainnet', category: 'linear', symbols: ['BTCUSDT'] }).env,
    ).toBe('testnet');
    // A paper session on mainnet data reopens on paper with its symbols; its data env is not an account's.
    expect(initialForm({ venue: 'paper', env: 'mainnet', category: 'spot', symbols: ['ETHUSDT'] })).toEqual({
      venue: 'paper',
      env: 'testnet',
      category: 'linear',
      symbols: 'ETHUSDT',
      confirm: '',
    });
  });

  it('checks each symbol as the contract does, skips blanks, refuses duplicates and more than ten', () => {
    expect(parseSymbols(' BTCUSDT , ETHUSDT,, ')).toEqual({ ok: true, value: ['BTCUSDT', 'ETHUSDT'] });
    expect(parseSymbols(' , ')).toMatchObject({ ok: false });
    expect(parseSymbols('btcusdt')).toMatchObject({ ok: false, message: /^btcusdt: must be a symbol/ });
    expect(parseSymbols('BTC USDT')).toMatchObject({ ok: false });
    expect(parseSymbols('BTCUSDT,BTCUSDT')).toMatchObject({ ok: false, message: 'BTCUSDT is named twice' });
    const eleven = Array.from({ length: 11 }, (_, i) => `S${i}USDT`).join(',');
    expect(parseSymbols(eleven)).toMatchObject({ ok: false, message: 'at most 10 symbols, got 11' });
  });

  it('builds the venue.connect input the engine accepts', () => {
    const sim = connectRequest(bybit({ venue: 'sim', symbols: 'not checked' }));
    expect(sim).toEqual({ ok: true, value: { venue: 'sim' } });
    const testnet = connectRequest(bybit({ symbols: 'BTCUSDT, ETHUSDT', confirm: 'ignored' }));
    expect(testnet).toEqual({
      ok: true,
      value: { venue: 'bybit', env: 'testnet', category: 'linear', symbols: ['BTCUSDT', 'ETHUSDT'] },
    });
    // Paper: Bybit data, symbols checked, and no environment, product, key or confirmation sent.
    const paper = connectRequest(bybit({ venue: 'paper', env: 'mainnet', symbols: 'BTCUSDT', confirm: 'x' }));
    expect(paper).toEqual({ ok: true, value: { venue: 'paper', source: 'bybit', symbols: ['BTCUSDT'] } });
    expect(connectRequest(bybit({ venue: 'paper', symbols: ' , ' }))).toMatchObject({ ok: false });
    for (const r of [sim, testnet, paper]) {
      if (!r.ok) throw new Error(r.message);
      expect(commandSchemas['venue.connect'].safeParse(r.value).success).toBe(true);
    }
    expect(connectRequest(bybit({ symbols: '' }))).toMatchObject({ ok: false });
  });

  it('sends mainnet only with MAINNET typed exactly, and carries it as confirm', () => {
    expect(needsConfirmation(bybit({ env: 'mainnet' }))).toBe(true);
    expect(needsConfirmation(bybit({ env: 'demo' }))).toBe(false);
    expect(needsConfirmation(bybit({ venue: 'sim', env: 'mainnet' }))).toBe(false);
    for (const typed of ['', 'mainnet', 'MAINNET ', 'MAIN'])
      expect(connectRequest(bybit({ env: 'mainnet', confirm: typed }))).toMatchObject({
        ok: false,
        message: 'type MAINNET to connect to mainnet',
      });
    const r = connectRequest(bybit({ env: 'mainnet', confirm: MAINNET_CONFIRMATION }));
    expect(r).toEqual({
      ok: true,
      value: { venue: 'bybit', env: 'mainnet', category: 'linear', symbols: ['BTCUSDT'], confirm: 'MAINNET' },
    });
    expect(modeOf('bybit', 'mainnet')).toBe('live');
    expect(modeOf('bybit', 'demo')).toBe('demo');
    expect(modeOf('sim', 'mainnet')).toBe('sim');
    // Paper on mainnet data trades nothing real: never LIVE, never behind the typed word.
    expect(modeOf('paper', 'mainnet')).toBe('paper');
    expect(needsConfirmation(bybit({ venue: 'paper', env: 'mainnet' }))).toBe(false);
  });

  it('names each choice and the paper account’s starting balances', () => {
    expect(describeVenue('sim', null)).toBe('the simulator');
    expect(describeVenue('paper', 'mainnet')).toBe('PAPER (Bybit data)');
    expect(describeVenue('bybit', 'demo')).toBe('Bybit demo');
    expect(describeBalances({ USDT: '100000', BTC: '0.1' })).toBe('100,000 USDT, 0.1 BTC');
  });
});

describe('link and credential wording', () => {
  it('signs the clock offset and never prints "-0"', () => {
    expect(formatClockOffset(12.4)).toBe('+12 ms');
    expect(formatClockOffset(-3)).toBe('−3 ms');
    expect(formatClockOffset(-0.2)).toBe('0 ms');
  });

  it('colours rate headroom by the share of the quota used', () => {
    expect(rateHeadroom(18, 20)).toEqual({ text: '18/20', level: 'ok' });
    expect(rateHeadroom(8, 20)).toEqual({ text: '8/20', level: 'warn' });
    expect(rateHeadroom(2, 20)).toEqual({ text: '2/20', level: 'danger' });
    expect(rateHeadroom(0, 20).level).toBe('breach');
  });

  it('describes a saved key by its hint and date only', () => {
    const savedAt = Date.UTC(2026, 10, 30, 14, 3, 59);
    expect(formatSavedAt(savedAt)).toBe('2026-11-30 14:03 UTC');
    expect(describeCredential({ exists: true, savedAt, keyHint: 'AB12' })).toBe(
      'key …AB12 saved 2026-11-30 14:03 UTC',
    );
    expect(describeCredential({ exists: true, savedAt: null, keyHint: null })).toBe('key saved');
    expect(describeCredential({ exists: false, savedAt: null, keyHint: null })).toBe('no key');
    expect(describeCredential(undefined)).toBe('no key');
  });
});
