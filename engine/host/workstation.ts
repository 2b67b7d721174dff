import type { Clock } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import type {
  CommandInput,
  CommandName,
  CredentialStatus,
  EngineState,
  HostCommand,
  SessionHandlers,
  VenueChoices,
} from '../api/contract.ts';
import { commandSchemas, MAINNET_CONFIRMATION } from '../api/contract.ts';
import type { Session, SessionSink } from '../api/engine.ts';
import { reviewHandlers, RunDetailPool } from '../api/handlers/review-handlers.ts';
import { ReviewJobs } from '../backtest/review-jobs.ts';
import { backtestsFile } from '../backtest/results-store.ts';
import { BYBIT_URLS, type BybitEnv } from '../venues/bybit/bybit-venue.ts';
import { checkBybitKey } from '../venues/bybit/key-check.ts';
import { checkMexcKey } from '../venues/mexc/key-check.ts';
import { MEXC_URLS } from '../venues/mexc/urls.ts';
import { PAPER_BYBIT_ENV } from '../venues/paper/bybit-market-data.ts';
import { DEFAULT_PAPER_BALANCES } from '../venues/paper/paper-venue.ts';
import { formatVenueSpec, type VenueSpec } from '../venues/registry.ts';
import type { CredentialKey, SecretStore } from './secrets/secret-store.ts';
import { TradingApp, type AppConfig } from './trading-app.ts';

type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** Where a venue is reached, when not at its own endpoints (a local protocol simulator). */
export interface VenueEndpoints {
  restUrl?: string;
  wsUrl?: string;
}

/** Where Bybit is reached; the same overrides apply to every environment. */
export interface BybitEndpoints extends VenueEndpoints {
  /** Disconnect cancel-all window in seconds (3-300; 0 leaves it off); 10 by default. */
  dcpWindowS?: number;
}

export interface WorkstationOptions {
  clock: Clock;
  /** Everything but the venue: data dir, seed, book rate, parameters. */
  base: Omit<AppConfig, 'venue' | 'symbols' | 'venueContext'>;
  secrets: SecretStore;
  bybit?: BybitEndpoints;
  mexc?: VenueEndpoints;
  /** The first session: the embedded simulator unless told otherwise. */
  initial?: { venue: VenueSpec; symbols?: string[]; category?: 'spot' | 'linear' };
  log?: Log;
}

type Current = VenueChoices['current'];

const ENVS: BybitEnv[] = ['testnet', 'demo', 'mainnet'];

/**
 * The host's session: one trading session at a time, and the commands that are the host's own —
 * switching venue (the old session stops, its orders cancelled and its records closed, before the
 * new one starts), credentials, which go from the command straight into the keychain and come
 * back to the screen only as "saved, when, key ending …", and the backtest review, whose runs and
 * jobs (on worker threads) outlive a venue switch.
 */
export class Workstation implements Session {
  readonly handlers: SessionHandlers;
  private readonly options: WorkstationOptions;
  private app: TradingApp;
  private current: Current;
  private sink: SessionSink | undefined;
  private switching = false;
  private switchError: string | null = null;
  private pendingInitial: WorkstationOptions['initial'] | null;
  /** Backtests and sweeps started from the review, on worker threads. */
  readonly reviewJobs: ReviewJobs;
  private readonly runDetails = new RunDetailPool();

  constructor(options: WorkstationOptions) {
    this.options = options;
    this.reviewJobs = new ReviewJobs({
      dataDir: options.base.dataDir,
      now: () => options.clock.now(),
      // Progress reaches the screen with the next snapshot (the facade coalesces).
      onChange: () => this.sink?.changed(),
      // A run's page is packed once, as it is stored, so opening it reads the page instead.
      afterRun: (runId) => this.runDetails.store(backtestsFile(options.base.dataDir), runId),
      onAfterRunError: (runId, err) =>
        this.options.log?.('warn', `could not keep the page of backtest run ${runId}: ${message(err)}`),
    });
    // A real venue's credentials come from the keychain, which answers asynchronously, and a real
    // venue's data may not be reachable: for Bybit and paper trading the host starts on the simulator
    // and switches in `start`, falling back to the simulator with the reason shown if that fails.
    const initial = options.initial;
    const switched = initial !== undefined && switchedInStart(initial.venue);
    this.pendingInitial = switched ? initial : null;
    const first = initial && !switched ? initial : { venue: { kind: 'sim' } as VenueSpec };
    this.current = { venue: 'sim', env: null, category: null, source: null, symbols: first.symbols ?? [] };
    this.app = this.build(first.venue, first.symbols, undefined, undefined);
    const delegated = {} as Record<string, (input: unknown) => unknown>;
    for (const name of Object.keys(commandSchemas) as CommandName[]) {
      delegated[name] = (input: unknown) => {
        const h = this.app.handlers[name] as ((i: unknown) => unknown) | undefined;
        if (!h) throw new EngineError('unavailable', `${name} is not available`);
        return h(input);
      };
    }
    const own: Pick<Required<SessionHandlers>, HostCommand> = {
      'venue.choices': () => this.choices(),
      'venue.connect': (input) => this.connect(input),
      'credentials.save': (input) => this.saveCredentials(input),
      'credentials.delete': async (input) => ({
        at: options.clock.now(),
        deleted: await this.options.secrets.delete(keyOf(input)),
      }),
      'credentials.test': (input) => this.testCredentials(input),
      ...reviewHandlers({
        clock: options.clock,
        dataDir: options.base.dataDir,
        jobs: this.reviewJobs,
        details: this.runDetails,
      }),
    };
    this.handlers = {
      ...(delegated as unknown as SessionHandlers),
      ...own,
      // The host's snapshot (its link and the review's jobs), not the session's alone.
      'engine.snapshot': () => ({ ...this.snapshot(), seq: 0, time: options.clock.now() }),
    };
  }

  /** The session trading now (tests reach the node through it). */
  session(): TradingApp {
    return this.app;
  }

  attach(sink: SessionSink): void {
    this.sink = sink;
    this.app.attach(sink);
  }

  snapshot(): Omit<EngineState, 'seq' | 'time'> {
    const s = this.app.snapshot();
    return {
      ...s,
      link: {
        ...s.link,
        env: this.current.env,
        category: this.current.category,
        source: this.current.source,
        switching: this.switching,
        error: this.switchError,
      },
      review: { jobs: this.reviewJobs.jobs() },
    };
  }

  async start(): Promise<void> {
    await this.app.start();
    const initial = this.pendingInitial;
    this.pendingInitial = null;
    if (!initial) return;
    const venue = initial.venue;
    const common = {
      ...(initial.category ? { category: initial.category } : {}),
      ...(initial.symbols ? { symbols: initial.symbols } : {}),
    };
    try {
      if (venue.kind === 'bybit')
        await this.connect({
          venue: 'bybit',
          env: venue.env,
          ...common,
          // Named on the command line by the trader; the flag is the confirmation.
          confirm: MAINNET_CONFIRMATION,
        });
      else if (venue.kind === 'mexc')
        await this.connect({ venue: 'mexc', ...common, confirm: MAINNET_CONFIRMATION });
      else if (venue.kind === 'paper')
        await this.connect({ venue: 'paper', source: venue.source, ...common });
    } catch (err) {
      this.switchError ??= message(err);
      this.options.log?.('error', `could not start on ${formatVenueSpec(initial.venue)}: ${message(err)}`);
    }
  }

  /** Stops the trading session and the review's jobs (each cancelled, its thread ended). */
  async stop(): Promise<void> {
    // The jobs first: one that ends meanwhile still has its page kept by the pool.
    const jobs = this.reviewJobs.close().then(() => this.runDetails.close());
    try {
      await this.app.stop();
    } finally {
      await jobs;
    }
  }

  private build(
    venue: VenueSpec,
    symbols: string[] | undefined,
    category: 'spot' | 'linear' | undefined,
    credentials: { apiKey: string; apiSecret: string } | undefined,
  ): TradingApp {
    const endpoints = this.options.bybit ?? {};
    const mexc = this.options.mexc ?? {};
    const transport = { restUrl: endpoints.restUrl, wsUrl: endpoints.wsUrl };
    const mexcTransport = { restUrl: mexc.restUrl, wsUrl: mexc.wsUrl };
    return new TradingApp(
      {
        ...this.options.base,
        venue,
        ...(symbols && symbols.length > 0 ? { symbols } : {}),
        venueContext:
          venue.kind === 'bybit'
            ? {
                ...(credentials ? { credentials } : {}),
                transport,
                category: category ?? 'spot',
                ...(endpoints.dcpWindowS === undefined ? {} : { dcpWindowS: endpoints.dcpWindowS }),
              }
            : venue.kind === 'mexc'
              ? { ...(credentials ? { credentials } : {}), transport: mexcTransport, category: 'spot' }
              : venue.kind === 'paper'
                ? // Public data, at the endpoints configured (for every Bybit environment); never a key.
                  {
                    transport: venue.source === 'mexc' ? mexcTransport : transport,
                    category: category ?? 'spot',
                  }
                : {},
      },
      this.options.clock,
      this.options.log,
    );
  }

  private async choices(): Promise<VenueChoices> {
    let keychain: VenueChoices['keychain'] = { available: true, message: null };
    const envs: VenueChoices['bybit']['envs'] = [];
    for (const env of ENVS) {
      let credentials: CredentialStatus = { exists: false, savedAt: null, keyHint: null };
      if (keychain.available) {
        try {
          credentials = await this.options.secrets.status({ venue: 'bybit', env });
        } catch (err) {
          keychain = { available: false, message: message(err) };
        }
      }
      const urls = BYBIT_URLS[env];
      envs.push({
        env,
        restUrl: this.options.bybit?.restUrl ?? urls.rest,
        wsUrl: this.options.bybit?.wsUrl ?? urls.publicWs,
        credentials,
      });
    }
    let mexcCredentials: CredentialStatus = { exists: false, savedAt: null, keyHint: null };
    if (keychain.available) {
      try {
        mexcCredentials = await this.options.secrets.status({ venue: 'mexc', env: 'mainnet' });
      } catch (err) {
        keychain = { available: false, message: message(err) };
      }
    }
    const mexc = {
      restUrl: this.options.mexc?.restUrl ?? MEXC_URLS.rest,
      wsUrl: this.options.mexc?.wsUrl ?? MEXC_URLS.ws,
    };
    return {
      current: { ...this.current },
      bybit: { envs },
      mexc: { ...mexc, credentials: mexcCredentials },
      paper: {
        bybit: {
          env: PAPER_BYBIT_ENV,
          restUrl: this.options.bybit?.restUrl ?? BYBIT_URLS[PAPER_BYBIT_ENV].rest,
          wsUrl: this.options.bybit?.wsUrl ?? BYBIT_URLS[PAPER_BYBIT_ENV].publicWs,
        },
        mexc,
        balances: { ...DEFAULT_PAPER_BALANCES },
      },
      keychain,
    };
  }

  private async connect(
    input: CommandInput<'venue.connect'>,
  ): Promise<{ at: number; venue: string; mode: EngineState['mode'] }> {
    if (this.switching) throw new EngineError('conflict', 'a venue switch is already under way');
    const spec: VenueSpec =
      input.venue === 'bybit'
        ? { kind: 'bybit', env: input.env ?? 'testnet' }
        : input.venue === 'mexc'
          ? { kind: 'mexc' }
          : input.venue === 'paper'
            ? { kind: 'paper', source: input.source ?? 'bybit' }
            : { kind: 'sim' };
    if (spec.kind === 'bybit' && spec.env === 'mainnet' && input.confirm !== MAINNET_CONFIRMATION)
      throw new EngineError(
        'invalid_input',
        `mainnet trades real money: type ${MAINNET_CONFIRMATION} to connect`,
      );
    if (spec.kind === 'mexc' && input.confirm !== MAINNET_CONFIRMATION)
      throw new EngineError(
        'invalid_input',
        `MEXC trades real money (it has no test account): type ${MAINNET_CONFIRMATION} to connect`,
      );
    let credentials: { apiKey: string; apiSecret: string } | undefined;
    if (spec.kind === 'bybit' || spec.kind === 'mexc') {
      const target = spec.kind === 'bybit' ? { venue: 'bybit' as const, env: spec.env } : MEXC_KEY;
      const saved = await this.options.secrets.load(target);
      if (!saved)
        throw new EngineError(
          'invalid_input',
          `no API key is saved for ${spec.kind === 'bybit' ? `Bybit ${spec.env}` : 'MEXC'}: save one in Credentials first`,
        );
      credentials = saved;
    }
    // Built before the old session stops, so a configuration the new one refuses leaves the old trading.
    const next = this.build(spec, input.symbols, input.category, credentials);
    this.switching = true;
    this.switchError = null;
    this.sink?.changed();
    this.options.log?.('info', `switching venue to ${formatVenueSpec(spec)}`);
    try {
      await this.app.stop();
      this.app = next;
      if (this.sink) next.attach(this.sink);
      try {
        await next.start();
      } catch (err) {
        this.switchError = `${formatVenueSpec(spec)} did not start: ${message(err)}`;
        await next.stop().catch(() => undefined);
        // Back on the simulator, so the screen has a session and the trader sees why.
        this.app = this.build({ kind: 'sim' }, undefined, undefined, undefined);
        this.current = { venue: 'sim', env: null, category: null, source: null, symbols: [] };
        if (this.sink) this.app.attach(this.sink);
        await this.app.start();
        throw new EngineError('unavailable', this.switchError);
      }
      this.current = {
        venue: input.venue,
        env:
          spec.kind === 'bybit'
            ? spec.env
            : spec.kind === 'mexc'
              ? 'mainnet'
              : spec.kind === 'paper' && spec.source === 'bybit'
                ? PAPER_BYBIT_ENV
                : null,
        category: spec.kind === 'sim' ? null : (input.category ?? 'spot'),
        source: spec.kind === 'paper' ? spec.source : null,
        symbols: input.symbols ?? [],
      };
      return { at: this.options.clock.now(), venue: this.app.venue.id, mode: this.app.snapshot().mode };
    } finally {
      this.switching = false;
      this.sink?.changed();
    }
  }

  private async saveCredentials(
    input: CommandInput<'credentials.save'>,
  ): Promise<{ at: number } & CredentialStatus> {
    const key = keyOf(input);
    const { savedAt } = await this.options.secrets.save(key, {
      apiKey: input.apiKey,
      apiSecret: input.apiSecret,
    });
    const status = await this.options.secrets.status(key);
    return { at: savedAt, ...status };
  }

  private async testCredentials(
    input: CommandInput<'credentials.test'>,
  ): Promise<{ at: number; ok: boolean; permissions: string[]; message: string }> {
    const key = keyOf(input);
    const saved = await this.options.secrets.load(key);
    if (!saved)
      throw new EngineError(
        'invalid_input',
        `no API key is saved for ${key.venue === 'mexc' ? 'MEXC' : `Bybit ${key.env}`}`,
      );
    if (key.venue === 'mexc') {
      const check = await checkMexcKey({
        clock: this.options.clock,
        credentials: saved,
        restUrl: this.options.mexc?.restUrl,
      });
      return { at: this.options.clock.now(), ...check };
    }
    const check = await checkBybitKey({
      env: input.env,
      clock: this.options.clock,
      credentials: saved,
      restUrl: this.options.bybit?.restUrl,
    });
    return { at: this.options.clock.now(), ...check };
  }
}

/** Venues the host reaches over the network (and Bybit's keychain): started once the host runs. */
function switchedInStart(venue: VenueSpec): boolean {
  return venue.kind === 'bybit' || venue.kind === 'mexc' || venue.kind === 'paper';
}

const MEXC_KEY = { venue: 'mexc', env: 'mainnet' } as const;

/** A credential command's target as the keychain names it (the contract has checked MEXC is mainnet). */
function keyOf(input: { venue: 'bybit' | 'mexc'; env: BybitEnv }): CredentialKey {
  return input.venue === 'mexc' ? MEXC_KEY : { venue: 'bybit', env: input.env };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
