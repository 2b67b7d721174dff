import { describe, expect, it } from 'vitest';
import { commandSchemas, MAINNET_CONFIRMATION } from '../../../engine/api/contract.ts';
import {
  connectLabel,
  connectRequest,
  describeBalances,
  describeCredential,
  describeCurrent,
  describeTarget,
  describeVenue,
  formatClockOffset,
  formatSavedAt,
  initialForm,
  MEXC_TARGET,
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
  source: 'bybit',
  symbols: 'BTCUSDT',
  confirm: '',
  ...change,
});

/** The schema the engine checks `venue.connect` with, run on what the form would send. */
const accepted = (r: ReturnType<typeof connectRequest>): boolean => {
  if (!r.ok) throw new Error(r.message);
  return commandSchemas['venue.connect'].safeParse(r.value).success;
};

describe('connect form', () => {
  it('opens on what runs now, on testnet linear BTCUSDT otherwise, and never proposes mainnet', () => {
    expect(initialForm(null)).toEqual({
      venue: 'sim',
      env: 'testnet',
      category: 'linear',
      source: 'bybit',
      symbols: 'BTCUSDT',
      confirm: '',
    });
    expect(
      initialForm({
        venue: 'bybit',
        env: 'demo',
        category: 'spot',
        source: null,
        symbols: ['BTCUSDT', 'ETHUSDT'],
      }),
    ).toEqual({
      venue: 'bybit',
      env: 'demo',
      category: 'spot',
      source: 'bybit',
      symbols: 'BTCUSDT, ETHUSDT',
      confirm: '',
    });
    expect(
      initialForm({ venue: 'bybit', env: 'mainnet', category: 'linear', source: null, symbols: ['BTCUSDT'] })
        .env,
    ).toBe('testnet');
    // A paper session on mainnet data reopens on paper with its symbols; its data env is not an account's.
    expect(
      initialForm({
        venue: 'paper',
        env: 'mainnet',
        category: 'spot',
        source: 'bybit',
        symbols: ['ETHUSDT'],
      }),
    ).toEqual({
      venue: 'paper',
      env: 'testnet',
      category: 'linear',
      source: 'bybit',
      symbols: 'ETHUSDT',
      confirm: '',
    });
  });

  it('never reopens on MEXC (all real money): a MEXC session proposes Bybit testnet with its symbols', () => {
    const form = initialForm({
      venue: 'mexc',
      env: 'mainnet',
      category: 'spot',
      source: null,
      symbols: ['BTCUSDT', 'MXUSDT'],
    });
    expect(form).toEqual({
      venue: 'bybit',
      env: 'testnet',
      category: 'linear',
      source: 'bybit',
      symbols: 'BTCUSDT, MXUSDT',
      confirm: '',
    });
    expect(needsConfirmation(form)).toBe(false);
    expect(modeOf(form.venue, form.env)).toBe('testnet');
  });

  it('keeps a paper session’s data source, and reads a host that names none as Bybit', () => {
    const mexc = initialForm({
      venue: 'paper',
      env: null,
      category: 'spot',
      source: 'mexc',
      symbols: ['BTCUSDT'],
    });
    expect(mexc).toMatchObject({ venue: 'paper', source: 'mexc', symbols: 'BTCUSDT', confirm: '' });
    // A host from before MEXC sends no source at all.
    const older = {
      venue: 'paper',
      env: 'mainnet',
      category: 'spot',
      symbols: ['ETHUSDT'],
    } as unknown as Parameters<typeof initialForm>[0];
    expect(initialForm(older).source).toBe('bybit');
    // The source of a non-paper session is not carried into the paper choice.
    expect(initialForm({ venue: 'sim', env: null, category: null, source: 'mexc', symbols: [] }).source).toBe(
      'bybit',
    );
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
    const paperMexc = connectRequest(bybit({ venue: 'paper', source: 'mexc', symbols: 'ETHUSDT, BTCUSDT' }));
    expect(paperMexc).toEqual({
      ok: true,
      value: { venue: 'paper', source: 'mexc', symbols: ['ETHUSDT', 'BTCUSDT'] },
    });
    expect(accepted(paperMexc)).toBe(true);
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

  it('sends MEXC (real money, spot, no environment) only with MAINNET typed exactly', () => {
    // Whatever Bybit environment or product the form last held, MEXC is real money.
    for (const env of ['testnet', 'demo', 'mainnet'] as const) {
      expect(needsConfirmation(bybit({ venue: 'mexc', env }))).toBe(true);
      expect(modeOf('mexc', env)).toBe('live');
    }
    for (const typed of ['', 'mainnet', ' MAINNET', 'MEXC'])
      expect(connectRequest(bybit({ venue: 'mexc', env: 'testnet', confirm: typed }))).toEqual({
        ok: false,
        message: 'type MAINNET to connect to MEXC (real money)',
      });
    // The symbols are checked first: a bad list says so whatever is typed.
    expect(connectRequest(bybit({ venue: 'mexc', symbols: 'BTC USDT', confirm: 'MAINNET' }))).toMatchObject({
      ok: false,
      message: /^BTC USDT: /,
    });
    const r = connectRequest(
      bybit({
        venue: 'mexc',
        env: 'demo',
        category: 'linear',
        symbols: 'BTCUSDT, MXUSDT',
        confirm: 'MAINNET',
      }),
    );
    // No env and no category: the engine's MEXC is spot on its one account.
    expect(r).toEqual({
      ok: true,
      value: { venue: 'mexc', symbols: ['BTCUSDT', 'MXUSDT'], confirm: 'MAINNET' },
    });
    expect(accepted(r)).toBe(true);
    // Carrying the form's leftover Bybit environment or product would be refused: hence neither is sent.
    const schema = commandSchemas['venue.connect'];
    const base = { venue: 'mexc', symbols: ['BTCUSDT'], confirm: 'MAINNET' };
    expect(schema.safeParse({ ...base, env: 'demo' }).success).toBe(false);
    expect(schema.safeParse({ ...base, category: 'linear' }).success).toBe(false);
  });

  it('labels the Connect button, red words for real money', () => {
    expect(connectLabel(bybit({ venue: 'mexc' }))).toBe('Connect to MEXC (real money)');
    expect(connectLabel(bybit({ env: 'mainnet' }))).toBe('Connect to MAINNET (real money)');
    expect(connectLabel(bybit({ env: 'demo' }))).toBe('Connect to Bybit demo');
    expect(connectLabel(bybit({ venue: 'paper', env: 'mainnet' }))).toBe('Connect to PAPER (Bybit data)');
    expect(connectLabel(bybit({ venue: 'paper', source: 'mexc' }))).toBe('Connect to PAPER (MEXC data)');
    expect(connectLabel(bybit({ venue: 'sim' }))).toBe('Connect to the simulator');
  });

  it('says what runs now', () => {
    expect(describeCurrent({ venue: 'sim', env: null, category: null, source: null, symbols: [] })).toBe(
      'simulator',
    );
    expect(
      describeCurrent({
        venue: 'mexc',
        env: 'mainnet',
        category: 'spot',
        source: null,
        symbols: ['BTCUSDT'],
      }),
    ).toBe('MEXC spot · BTCUSDT');
    expect(
      describeCurrent({
        venue: 'paper',
        env: null,
        category: 'spot',
        source: 'mexc',
        symbols: ['BTCUSDT', 'ETHUSDT'],
      }),
    ).toBe('paper on MEXC data, spot · BTCUSDT, ETHUSDT');
    expect(
      describeCurrent({
        venue: 'paper',
        env: 'mainnet',
        category: 'spot',
        source: 'bybit',
        symbols: ['BTCUSDT'],
      }),
    ).toBe('paper on Bybit mainnet data, spot · BTCUSDT');
    expect(
      describeCurrent({
        venue: 'bybit',
        env: 'testnet',
        category: 'linear',
        source: null,
        symbols: ['BTCUSDT'],
      }),
    ).toBe('Bybit testnet linear · BTCUSDT');
  });

  it('names each choice and the paper account’s starting balances', () => {
    expect(describeVenue('sim', null)).toBe('the simulator');
    expect(describeVenue('paper', 'mainnet')).toBe('PAPER (Bybit data)');
    expect(describeVenue('paper', null, 'mexc')).toBe('PAPER (MEXC data)');
    expect(describeVenue('bybit', 'demo')).toBe('Bybit demo');
    expect(describeVenue('mexc', 'mainnet')).toBe('MEXC');
    expect(describeVenue('mexc', null)).toBe('MEXC');
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

  it('names each key set, MEXC’s as its one (mainnet) account', () => {
    expect(describeTarget({ venue: 'bybit', env: 'demo' })).toBe('Bybit demo');
    expect(describeTarget({ venue: 'mexc', env: 'mainnet' })).toBe('MEXC spot');
    for (const name of ['credentials.save', 'credentials.test', 'credentials.delete'] as const) {
      const extra = name === 'credentials.save' ? { apiKey: 'k', apiSecret: 's' } : {};
      expect(commandSchemas[name].safeParse({ ...MEXC_TARGET, ...extra }).success).toBe(true);
      expect(commandSchemas[name].safeParse({ venue: 'mexc', env: 'testnet', ...extra }).success).toBe(false);
    }
  });
});
