#!/usr/bin/env node
/**
 * The headless host's command line. `serve` runs the engine and serves the UI in the browser.
 * Usage errors print one clear line and exit 2; nothing starts.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bybitEndpoints, createEngine, mexcEndpoints } from './app.ts';
import { createLogger } from './log.ts';
import { startHost } from './ws-server.ts';
import { isEngineRunning, takeLock } from './run-lock.ts';
import { SimClock } from '../core/clock.ts';
import { backupStore, listBackups, restoreBackup } from '../store/backup.ts';
import { databaseFile } from '../store/database.ts';
import { Store } from '../store/store.ts';
import { parseVenueSpec, type VenueSpec } from '../venues/registry.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServeOptions {
  port: number;
  dataDir: string;
  seed: number;
  rendererDir: string;
  bookRate: number | undefined;
  venue: VenueSpec;
  symbols: string[] | undefined;
  category: 'spot' | 'linear' | undefined;
  bybit: { restUrl?: string; wsUrl?: string; dcpWindowS?: number };
  mexc: { restUrl?: string; wsUrl?: string };
}

export function parseServeArgs(argv: string[]): ServeOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string', default: '0' },
      'data-dir': { type: 'string', default: join(root, '.data') },
      seed: { type: 'string', default: '1' },
      'renderer-dir': { type: 'string', default: join(root, 'out', 'renderer') },
      'book-rate': { type: 'string' },
      venue: { type: 'string', default: 'sim' },
      symbols: { type: 'string' },
      category: { type: 'string' },
      'bybit-rest-url': { type: 'string' },
      'bybit-ws-url': { type: 'string' },
      'mexc-rest-url': { type: 'string' },
      'mexc-ws-url': { type: 'string' },
      'dcp-window': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535, got ${values.port}`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const bookRate = values['book-rate'] === undefined ? undefined : Number(values['book-rate']);
  if (bookRate !== undefined && !(bookRate > 0 && bookRate <= 10_000))
    throw new Error(`--book-rate must be 1-10000 updates/s, got ${values['book-rate']}`);
  const category = values.category;
  if (category !== undefined && category !== 'spot' && category !== 'linear')
    throw new Error(`--category must be spot or linear, got ${category}`);
  const symbols = values.symbols
    ?.split(',')
    .map((x) => x.trim().toUpperCase())
    .filter((x) => x !== '');
  const venue = parseVenueSpec(values.venue);
  if ((venue.kind === 'paper' || venue.kind === 'mexc') && (symbols ?? []).length === 0)
    throw new Error(`--venue ${values.venue} needs --symbols, e.g. --symbols BTCUSDT`);
  if (venue.kind === 'paper' && category === 'linear')
    throw new Error('--venue paper:… simulates a spot account: leave out --category or use spot');
  if (venue.kind === 'mexc' && category === 'linear')
    throw new Error('--venue mexc trades spot: leave out --category or use spot');
  return {
    port,
    seed,
    bookRate,
    symbols,
    category,
    bybit: {
      ...bybitEndpoints({ restUrl: values['bybit-rest-url'], wsUrl: values['bybit-ws-url'] }),
      ...(values['dcp-window'] === undefined ? {} : { dcpWindowS: dcpWindow(values['dcp-window']) }),
    },
    mexc: mexcEndpoints({ restUrl: values['mexc-rest-url'], wsUrl: values['mexc-ws-url'] }),
    venue,
    dataDir: resolve(values['data-dir']),
    rendererDir: resolve(values['renderer-dir']),
  };
}

/** Bybit's disconnect cancel-all window: 0 (off) or 3-300 seconds, as the venue allows. */
function dcpWindow(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || (n !== 0 && (n < 3 || n > 300)))
    throw new Error(`--dcp-window must be 0 (off) or 3-300 seconds, got ${text}`);
  return n;
}

/** Starts browser mode and resolves once it listens; shuts down in order on SIGINT / SIGTERM. */
export async function serve(options: ServeOptions): Promise<void> {
  const log = createLogger();
  mkdirSync(options.dataDir, { recursive: true });
  const engine = createEngine(
    {
      venue: options.venue,
      ...(options.symbols ? { symbols: options.symbols } : {}),
      ...(options.category ? { category: options.category } : {}),
      bybit: options.bybit,
      mexc: options.mexc,
      dataDir: options.dataDir,
      seed: options.seed,
      ...(options.bookRate === undefined ? {} : { bookRate: options.bookRate }),
    },
    log,
  );
  const releaseLock = takeLock(options.dataDir);
  await engine.start();
  const host = await startHost({ engine, log, rendererDir: options.rendererDir, port: options.port });
  // The URL carries the per-run token; it is printed once to the terminal that started the run and never logged.
  process.stdout.write(`Workstation running in browser mode at ${host.url}\n`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void (async () => {
      await engine.stop();
      await host.close();
      releaseLock();
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => {
    shutdown('SIGINT');
  });
  process.on('SIGTERM', () => {
    shutdown('SIGTERM');
  });
}

function storeArgs(argv: string[], extra: Record<string, { type: 'string' }>) {
  return parseArgs({
    args: argv,
    strict: true,
    options: { 'data-dir': { type: 'string', default: join(root, '.data') }, ...extra },
  }).values as Record<string, string | undefined>;
}

/** On-demand backup of the practice database (works while the app runs: WAL allows a second reader). */
async function backupVerb(argv: string[]): Promise<number> {
  const v = storeArgs(argv, { keep: { type: 'string' } });
  const keep = Number(v.keep ?? '10');
  if (!Number.isSafeInteger(keep) || keep < 1)
    throw new Error(`--keep must be a whole number ≥ 1, got ${v.keep}`);
  const dataDir = resolve(v['data-dir']!);
  const store = new Store(databaseFile(dataDir, 'practice'), new SimClock(Date.now()));
  try {
    const r = await backupStore(store, join(dataDir, 'backups'), keep, Date.now());
    process.stdout.write(
      `backup written and verified: ${r.file} (${r.bytes} bytes; ${r.counts.fills ?? 0} fills)\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}

function restoreVerb(argv: string[]): number {
  const v = storeArgs(argv, { file: { type: 'string' } });
  const dataDir = resolve(v['data-dir']!);
  if (!v.file) {
    const available = listBackups(join(dataDir, 'backups'), 'practice');
    throw new Error(`--file is required; backups available:\n  ${available.join('\n  ') || '(none)'}`);
  }
  restoreBackup(resolve(v.file), databaseFile(dataDir, 'practice'), () => isEngineRunning(dataDir));
  process.stdout.write(`restored ${v.file}; the previous database is kept as .before-restore\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    switch (verb) {
      case 'serve':
        await serve(parseServeArgs(rest));
        return -1;
      case 'backup':
        return await backupVerb(rest);
      case 'restore':
        return restoreVerb(rest);
      default:
        process.stderr.write(
          [
            'usage: cli.ts serve [--port N] [--data-dir DIR] [--seed N] [--book-rate N] [--renderer-dir DIR]',
            '                    [--venue sim|paper:bybit|paper:mexc|bybit:testnet|bybit:demo|bybit:mainnet|mexc] [--symbols A,B] [--category spot|linear]',
            "                    (paper:VENUE: the venue's public data, simulated fills, no key; needs --symbols. mexc: real money, spot)",
            '                    [--bybit-rest-url URL] [--bybit-ws-url URL] [--dcp-window S]   (URLs also from MMWS_BYBIT_REST_URL / MMWS_BYBIT_WS_URL)',
            '                    [--mexc-rest-url URL] [--mexc-ws-url URL]   (also from MMWS_MEXC_REST_URL / MMWS_MEXC_WS_URL)',
            '       cli.ts backup [--data-dir DIR] [--keep N]',
            '       cli.ts restore --file BACKUP [--data-dir DIR]   (refused while a session is trading)',
            '',
          ].join('\n'),
        );
        return 2;
    }
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
}
