import { randomBytes } from 'node:crypto';
import type { Page, WebSocketRoute } from '@playwright/test';
import type { HostCommand } from '../../engine/api/contract.ts';
import { missingKeyringBinary } from '../support/keyring.ts';
import { expect, test } from './fixtures.ts';
import { ConnectPage, WorkstationPage, type BybitEnvName } from './pages/workstation.ts';
import { filesUnder, VenueRig } from './processes.ts';

/**
 * The venue dialog, the credentials settings and the header's venue fields.
 *
 * Two tiers. The first runs always, against the simulator host with the host commands
 * (`venue.choices`, `venue.connect`, `credentials.*`) answered by a script on the page's WebSocket:
 * it pins down what the renderer sends and shows. The second drives the real thing: a host pointed at
 * the Bybit protocol simulator, with the OS keychain in a private D-Bus session (skipped where
 * dbus-run-session or gnome-keyring is not installed).
 */

const HOST_COMMANDS: ReadonlySet<string> = new Set<HostCommand>([
  'venue.choices',
  'venue.connect',
  'credentials.save',
  'credentials.delete',
  'credentials.test',
]);

type Json = Record<string, unknown>;
type Answer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

/** A secret no code path could produce by accident: if it shows up anywhere, it leaked from the form. */
function plantedSecret(): string {
  return `planted-${randomBytes(12).toString('hex')}`;
}

/**
 * Stands in for the host's venue commands on the page's own WebSocket to the simulator host: trading
 * commands and state pass through to the real engine, the host commands are answered here, and a
 * test can rewrite the state the page sees (a Bybit link, a mainnet session).
 */
class ScriptedHost {
  /** Host commands the page sent, in order, as parsed. */
  readonly commands: { command: string; input: Json }[] = [];
  /** Every frame the page received, as text. */
  readonly received: string[] = [];
  keychain: { available: boolean; message: string | null } = { available: true, message: null };
  readonly saved = new Map<BybitEnvName, { keyHint: string; savedAt: number }>();
  statePatch: ((state: Json) => Json) | null = null;
  /** Answer every host command as a host without venue switching does. */
  unavailable = false;
  connect: (input: Json) => Answer | Promise<Answer> = () => ({
    ok: true,
    value: { at: Date.now(), venue: 'bybit', mode: 'testnet' },
  });

  async attach(page: Page): Promise<void> {
    await page.routeWebSocket(/\/api\?token=/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { id: number; command: string; input: Json };
        if (!HOST_COMMANDS.has(frame.command)) {
          server.send(message);
          return;
        }
        this.commands.push({ command: frame.command, input: frame.input });
        void Promise.resolve(this.answer(frame.command, frame.input)).then((response) =>
          this.toPage(ws, JSON.stringify({ type: 'response', id: frame.id, response })),
        );
      });
      server.onMessage((message) => {
        let text = String(message);
        if (this.statePatch) {
          const frame = JSON.parse(text) as { type: string; state?: Json };
          if (frame.type === 'state' && frame.state) {
            frame.state = this.statePatch(frame.state);
            text = JSON.stringify(frame);
          }
        }
        this.toPage(ws, text);
      });
    });
  }

  sent(command: string): Json[] {
    return this.commands.filter((c) => c.command === command).map((c) => c.input);
  }

  private toPage(ws: WebSocketRoute, text: string): void {
    this.received.push(text);
    ws.send(text);
  }

  private status(env: BybitEnvName) {
    const s = this.saved.get(env);
    return s
      ? { exists: true, savedAt: s.savedAt, keyHint: s.keyHint }
      : { exists: false, savedAt: null, keyHint: null };
  }

  private answer(command: string, input: Json): Answer | Promise<Answer> {
    const env = input.env as BybitEnvName;
    const at = Date.now();
    // What a host without venue switching answers (the engine's reply for a missing handler).
    if (this.unavailable)
      return {
        ok: false,
        error: { code: 'unavailable', message: `${command} is not available in this host` },
      };
    switch (command) {
      case 'venue.choices':
        return {
          ok: true,
          value: {
            current: { venue: 'sim', env: null, category: null, source: null, symbols: [] },
            bybit: {
              envs: (['testnet', 'demo', 'mainnet'] as const).map((e) => ({
                env: e,
                restUrl: `http://127.0.0.1:9/${e}`,
                wsUrl: `ws://127.0.0.1:9/${e}`,
                credentials: this.status(e),
              })),
            },
            mexc: {
              restUrl: 'http://127.0.0.1:9/mexc',
              wsUrl: 'ws://127.0.0.1:9/mexc/ws',
              credentials: { exists: false, savedAt: null, keyHint: null },
            },
            paper: {
              bybit: {
                env: 'mainnet',
                restUrl: 'http://127.0.0.1:9/mainnet',
                wsUrl: 'ws://127.0.0.1:9/mainnet',
              },
              mexc: { restUrl: 'http://127.0.0.1:9/mexc', wsUrl: 'ws://127.0.0.1:9/mexc/ws' },
              balances: { USDT: '100000', BTC: '0.1', ETH: '2' },
            },
            keychain: this.keychain,
          },
        };
      case 'credentials.save':
        this.saved.set(env, {
          keyHint: String(input.apiKey).slice(-4),
          savedAt: Date.UTC(2026, 10, 30, 14, 3),
        });
        return { ok: true, value: { at, ...this.status(env) } };
      case 'credentials.delete': {
        const deleted = this.saved.delete(env);
        return { ok: true, value: { at, deleted } };
      }
      case 'credentials.test':
        return {
          ok: true,
          value: {
            at,
            ok: true,
            permissions: ['ContractTrade:Order', 'Wallet:AccountTransfer'],
            message: 'OK',
          },
        };
      case 'venue.connect':
        return this.connect(input);
      default:
        return { ok: false, error: { code: 'unexpected', message: command } };
    }
  }
}

function bybitLink(state: Json, link: Json, mode = 'testnet'): Json {
  return {
    ...state,
    mode,
    venue: 'bybit',
    connection: { ...(state.connection as Json), state: 'connected' },
    link: {
      env: 'testnet',
      category: 'linear',
      source: null,
      clockOffsetMs: 12.4,
      rateHeadroom: 18,
      rateLimit: 20,
      dcp: true,
      switching: false,
      error: null,
      ...link,
    },
  };
}

test.describe('venue dialog and credentials (host commands scripted on the simulator host)', () => {
  test('on the simulator the header has no venue fields, and a host without switching says so', async ({
    page,
    host,
  }) => {
    const script = new ScriptedHost();
    script.unavailable = true;
    await script.attach(page);
    const ws = new WorkstationPage(page);
    const connect = new ConnectPage(page);
    await ws.open(host.url);
    await expect(ws.mode).toHaveText('SIM');
    expect(await connect.headerLink()).toEqual({
      mode: 'SIM',
      venue: expect.any(String),
      env: null,
      venueLink: null,
      rateHeadroom: null,
      rateLimit: null,
      clockOffsetMs: null,
      live: false,
    });
    await expect(connect.linkStatus).toBeHidden();

    await connect.open();
    await expect(connect.choicesError).toContainText('venue.choices is not available');
    await connect.openCredentials();
    await connect.fillCredentials('testnet', 'KEY', 'SECRET');
    // The keychain was never reported available, so nothing can be saved.
    await expect(connect.credentialsForm('testnet').getByTestId('credentials-save')).toBeDisabled();
    await connect.close();
  });

  test('connect view: endpoints and saved keys per environment, symbols checked, mainnet behind MAINNET', async ({
    page,
    host,
  }) => {
    const script = new ScriptedHost();
    script.saved.set('demo', { keyHint: 'AB12', savedAt: Date.UTC(2026, 10, 30, 14, 3) });
    script.connect = (input) =>
      input.env === 'mainnet'
        ? {
            ok: false,
            error: {
              code: 'venue_refused',
              message: 'Bybit mainnet refused the key: 10003 API key is invalid',
            },
          }
        : { ok: true, value: { at: Date.now(), venue: 'bybit', mode: 'testnet' } };
    await script.attach(page);
    const ws = new WorkstationPage(page);
    const connect = new ConnectPage(page);
    await ws.open(host.url);

    await connect.open();
    await expect(connect.current).toContainText('simulator');
    await connect.chooseVenue('bybit');
    expect(await connect.endpoints('testnet')).toEqual({
      rest: 'http://127.0.0.1:9/testnet',
      ws: 'ws://127.0.0.1:9/testnet',
    });
    expect(await connect.endpoints('mainnet')).toEqual({
      rest: 'http://127.0.0.1:9/mainnet',
      ws: 'ws://127.0.0.1:9/mainnet',
    });
    await expect(connect.envCredentials('testnet')).toHaveText('no key');
    await expect(connect.envCredentials('demo')).toHaveText('key …AB12 saved 2026-11-30 14:03 UTC');
    await expect(connect.symbols).toHaveValue('BTCUSDT');
    await expect(connect.chosenMode).toHaveText('TESTNET');

    // Symbols are checked as the contract's symbolName; lower case is raised as typed.
    await connect.setSymbols('btcusdt, eth usdt');
    await expect(connect.symbols).toHaveValue('BTCUSDT, ETH USDT');
    await expect(connect.symbolsError).toContainText('ETH USDT');
    await expect(connect.submit).toBeDisabled();
    await connect.setSymbols('BTCUSDT, ETHUSDT');
    await expect(connect.symbolsError).toHaveCount(0);
    await expect(connect.submit).toBeEnabled();

    // Mainnet: the warning, and Connect only once MAINNET is typed exactly.
    await connect.chooseEnv('mainnet');
    await expect(connect.mainnetWarning).toContainText('REAL MONEY');
    await expect(connect.chosenMode).toHaveText('LIVE');
    await expect(connect.submit).toBeDisabled();
    await connect.typeConfirmation('mainnet');
    await expect(connect.submit).toBeDisabled();
    await connect.typeConfirmation('MAINNET');
    await expect(connect.submit).toBeEnabled();
    await page.screenshot({ path: test.info().outputPath('connect-mainnet.png') });
    await connect.connect();
    // Refused: the engine's message, the view still open, and the word must be typed again.
    await expect(connect.error).toHaveText('Bybit mainnet refused the key: 10003 API key is invalid');
    await expect(connect.dialog).toBeVisible();
    await expect(connect.confirmation).toHaveValue('');
    await expect(connect.submit).toBeDisabled();
    expect(script.sent('venue.connect')).toEqual([
      {
        venue: 'bybit',
        env: 'mainnet',
        category: 'linear',
        symbols: ['BTCUSDT', 'ETHUSDT'],
        confirm: 'MAINNET',
      },
    ]);
    // Leaving mainnet drops the warning; coming back needs the word again.
    await connect.chooseEnv('testnet');
    await expect(connect.mainnetWarning).toHaveCount(0);
    await page.screenshot({ path: test.info().outputPath('connect-view.png') });

    // While the switch runs the view shows progress (and so does the header); success closes it.
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    script.connect = async () => {
      script.statePatch = (s) => ({ ...s, link: { ...(s.link as Json), switching: true } });
      await released;
      script.statePatch = (s) => bybitLink(s, {});
      return { ok: true, value: { at: Date.now(), venue: 'bybit', mode: 'testnet' } };
    };
    await connect.chooseCategory('spot');
    await connect.connect();
    await expect(connect.progress).toBeVisible();
    await expect(connect.linkSwitching).toBeVisible();
    await expect(connect.submit).toBeDisabled();
    release();
    await expect(connect.dialog).toHaveCount(0);
    await expect(ws.mode).toHaveText('TESTNET');
    expect(script.sent('venue.connect').at(-1)).toEqual({
      venue: 'bybit',
      env: 'testnet',
      category: 'spot',
      symbols: ['BTCUSDT', 'ETHUSDT'],
    });
  });

  test('credentials: save clears the form and the secret is nowhere on the page; test and delete', async ({
    page,
    host,
  }) => {
    const script = new ScriptedHost();
    await script.attach(page);
    const ws = new WorkstationPage(page);
    const connect = new ConnectPage(page);
    const apiKey = `key-${randomBytes(6).toString('hex')}WXYZ`;
    const apiSecret = plantedSecret();
    await ws.open(host.url);

    await connect.openCredentials();
    await expect(connect.credentialStatus('testnet')).toHaveText('no key');
    await expect(connect.credentialsForm('testnet').getByTestId('credentials-secret')).toHaveAttribute(
      'type',
      'password',
    );
    await expect(connect.credentialsForm('testnet').getByTestId('credentials-secret')).toHaveAttribute(
      'autocomplete',
      'off',
    );
    await expect(connect.credentialsForm('testnet').getByTestId('credentials-test')).toBeDisabled();
    await connect.saveCredentials('testnet', ` ${apiKey} `, apiSecret);
    await expect(connect.credentialResult('testnet')).toContainText(
      'saved: key …WXYZ saved 2026-11-30 14:03 UTC',
    );
    await expect(connect.credentialStatus('testnet')).toHaveText('key …WXYZ saved 2026-11-30 14:03 UTC');
    await expect(connect.credentialsForm('testnet').getByTestId('credentials-key')).toHaveValue('');
    await expect(connect.credentialsForm('testnet').getByTestId('credentials-secret')).toHaveValue('');
    // Sent once, trimmed, and never seen again: not in the DOM, an input, web storage or any frame.
    expect(script.sent('credentials.save')).toEqual([{ venue: 'bybit', env: 'testnet', apiKey, apiSecret }]);
    expect(await connect.pageContents()).not.toContain(apiSecret);
    expect(script.received.filter((f) => f.includes(apiSecret))).toEqual([]);

    const tested = await connect.testCredentials('testnet');
    await page.screenshot({ path: test.info().outputPath('credentials.png') });
    expect(tested).toMatchObject({
      ok: true,
      permissions: ['ContractTrade:Order', 'Wallet:AccountTransfer'],
    });

    // The connect view shows the saved key too.
    await connect.open();
    await connect.chooseVenue('bybit');
    await expect(connect.envCredentials('testnet')).toHaveText('key …WXYZ saved 2026-11-30 14:03 UTC');
    await connect.openCredentials();

    await connect.deleteCredentials('testnet');
    await expect(connect.credentialStatus('testnet')).toHaveText('no key');
    await expect(connect.credentialResult('testnet')).toHaveText('deleted');
    expect(await connect.pageContents()).not.toContain(apiSecret);
    await connect.close();

    // No keychain: its message, and Save stays off however much is typed (no plain-text fallback).
    script.keychain = { available: false, message: 'no Secret Service on the session bus' };
    await connect.openCredentials();
    await expect(connect.keychainError).toContainText('no Secret Service on the session bus');
    await connect.fillCredentials('demo', 'KEY', 'SECRET');
    await expect(connect.credentialsForm('demo').getByTestId('credentials-save')).toBeDisabled();
  });

  test('header: a Bybit session shows environment, link, rate headroom and clock offset; mainnet is LIVE in red', async ({
    page,
    host,
  }) => {
    const script = new ScriptedHost();
    script.statePatch = (s) => bybitLink(s, {});
    await script.attach(page);
    const ws = new WorkstationPage(page);
    const connect = new ConnectPage(page);
    await ws.open(host.url);

    await expect(ws.mode).toHaveText('TESTNET');
    await expect(connect.venueEnv).toHaveText('testnet · linear');
    await expect(connect.rateHeadroom).toHaveText('rate 18/20');
    await expect(connect.clockOffset).toHaveText('clock +12 ms');
    expect(await connect.headerLink()).toEqual({
      mode: 'TESTNET',
      venue: 'bybit',
      env: 'testnet · linear',
      venueLink: 'connected',
      rateHeadroom: 18,
      rateLimit: 20,
      clockOffsetMs: 12,
      live: false,
    });

    script.statePatch = (s) => bybitLink(s, { error: 'Bybit testnet did not answer within 10 s' });
    await expect(connect.linkError).toContainText('Bybit testnet did not answer within 10 s');

    script.statePatch = (s) => bybitLink(s, { env: 'mainnet', rateHeadroom: 2, clockOffsetMs: -3 }, 'live');
    await expect(connect.liveBand).toContainText('LIVE — REAL MONEY');
    await expect(ws.mode).toHaveText('LIVE');
    await expect(ws.app).toHaveClass(/app--live/);
    await expect(connect.clockOffset).toHaveText('clock −3 ms');
    await expect(connect.rateHeadroom).toHaveClass(/rate--danger/);
    await page.screenshot({ path: test.info().outputPath('header-live.png') });
  });
});

// ---------------------------------------------------------------------------------------------------
// The real thing: the host pointed at the Bybit protocol simulator, credentials in the OS keychain.

test.describe('Bybit testnet against the Bybit protocol simulator', () => {
  const absent = missingKeyringBinary();
  test.skip(
    absent !== undefined,
    `${absent ?? ''} is not installed: the host keeps credentials in the OS keychain, which this test runs ` +
      'in a private D-Bus session with gnome-keyring (CI installs dbus-daemon and gnome-keyring)',
  );

  const apiKey = `e2e${randomBytes(6).toString('hex')}`;
  const apiSecret = plantedSecret();
  const rig = new VenueRig('bybit', { apiKey, apiSecret });
  test.beforeEach(() => rig.start());
  test.afterEach(() => rig.stop());

  test('save credentials, connect testnet, see the book, quote, kill; the secret is nowhere after saving', async ({
    page,
  }) => {
    const frames: string[] = [];
    page.on('websocket', (socket) => socket.on('framereceived', (f) => frames.push(String(f.payload))));
    const ws = new WorkstationPage(page);
    const connect = new ConnectPage(page);
    await ws.open(rig.url);
    await expect(ws.mode).toHaveText('SIM');

    // The environments point at the local simulator, and no key is saved yet.
    await connect.open();
    await connect.chooseVenue('bybit');
    expect((await connect.endpoints('testnet')).rest).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    await expect(connect.envCredentials('testnet')).toHaveText('no key');
    await connect.close();

    await connect.openCredentials();
    await connect.saveCredentials('testnet', apiKey, apiSecret);
    await expect(connect.credentialStatus('testnet')).toContainText(`key …${apiKey.slice(-4)} saved`);
    await expect(connect.credentialsForm('testnet').getByTestId('credentials-secret')).toHaveValue('');
    const tested = await connect.testCredentials('testnet');
    expect(tested.ok, tested.text).toBe(true);
    expect(tested.permissions.length).toBeGreaterThan(0);
    await connect.close();

    expect(await connect.pageContents()).not.toContain(apiSecret);
    expect(frames.filter((f) => f.includes(apiSecret))).toEqual([]);

    await connect.connectBybit({ env: 'testnet', category: 'linear', symbols: 'BTCUSDT' });
    await expect(ws.mode).toHaveText('TESTNET', { timeout: 30_000 });
    await page.locator('.app[data-state="ready"]').waitFor();
    await expect(ws.instrumentSymbol).toHaveText('BTCUSDT');
    await expect(connect.venueLink).toHaveAttribute('data-state', 'connected');
    await expect(connect.venueEnv).toContainText('testnet');
    await expect(connect.rateHeadroom).toBeVisible();
    await expect(connect.clockOffset).toHaveText(/^clock (?:0|[+−]\d+) ms$/);
    await expect.poll(async () => (await ws.ladderPrices()).filter((p) => p > 0).length).toBeGreaterThan(0);

    await ws.startQuoting();
    await expect(ws.ownBidRows).toHaveCount(1, { timeout: 20_000 });
    await expect(ws.ownAskRows).toHaveCount(1);

    await page.getByTestId('kill-button').click();
    await page.getByTestId('kill-confirm').click();
    await expect(ws.tradingState).toHaveText('HALTED');
    await expect(ws.ownRows).toHaveCount(0, { timeout: 20_000 });
    await page.screenshot({ path: test.info().outputPath('bybit-testnet.png') });

    // After all of that, the secret has still never come back: page, frames, host output, data dir.
    expect(await connect.pageContents()).not.toContain(apiSecret);
    expect(frames.filter((f) => f.includes(apiSecret))).toEqual([]);
    expect(rig.host?.output()).not.toContain(apiSecret);
    expect(filesUnder(rig.dataDir ?? '').filter((text) => text.includes(apiSecret))).toEqual([]);
  });
});
