#!/usr/bin/env node
/**
 * `npm run venue-sim -- <venue> [options]`: runs a venue protocol simulator on 127.0.0.1 until
 * SIGTERM or SIGINT. It prints exactly one JSON line to stdout, `{"venue","rest","ws"}`, once it
 * listens, and nothing else (never the secret). A usage error prints one sentence to stderr and
 * exits 2.
 *
 *   bybit --port 0 --api-key KEY --api-secret SECRET [--seed N] [--funding-interval-ms MS]
 *         [--flow JSON] [--quotas JSON]
 *
 * `--flow` sets the background order flow of every market (any of the synthetic market's fields:
 * `{"stepMs":10,"limitRate":300,"volatility":2e-4}`); `--quotas` the per-second order quota of
 * endpoints by path (`{"/v5/order/create":1000}`). Both are for benchmarks and soak runs.
 *
 *   mexc  --port 0 --api-key KEY --api-secret SECRET [--seed N] [--flow JSON]
 *         [--limit-maker-cross reject|cancel] [--rate-budget N]
 *
 * prints `{"venue":"mexc","rest":"http://127.0.0.1:PORT","ws":"ws://127.0.0.1:PORT/ws"}`. `--flow`
 * as for bybit; `--limit-maker-cross` what a LIMIT_MAKER order that would take gets (default cancel);
 * `--rate-budget` the weight each endpoint allows per 10 s (default 500).
 *
 * Both simulators take fault requests on POST /__sim/fault at their REST address (loopback only).
 *
 * `npm run` echoes the command line (secret included) to stdout before the script starts: use
 * `npm run -s venue-sim`, or leave --api-secret out and pass the secret in VENUE_SIM_API_SECRET
 * (VENUE_SIM_API_KEY likewise).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { BybitSimOptions } from './bybit/sim.ts';
import { startBybitSim } from './bybit/sim.ts';
import type { MexcSimOptions } from './mexc/sim.ts';
import { startMexcSim } from './mexc/sim.ts';

class UsageError extends Error {}

const VENUES = ['bybit', 'mexc'] as const;

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();
/** The synthetic market's flow fields a run may change (the start price comes from the instrument). */
const FLOW = z
  .object({
    volatility: nonNegative,
    stepMs: positive.max(60_000),
    limitRate: nonNegative,
    meanDistanceTicks: positive,
    cancelRate: nonNegative,
    marketRate: nonNegative,
    iocShare: nonNegative.max(1),
    meanLimitLots: positive,
    meanMarketLots: positive,
    makerAccounts: z.number().int().min(1).max(1000),
  })
  .partial()
  .strict();
const QUOTAS = z.record(z.string().regex(/^\/v5\//, 'a /v5/ path'), z.number().int().min(1).max(1_000_000));

function jsonOption<T>(flag: string, text: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${flag} takes a JSON object, got ${text.slice(0, 80)}.`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new UsageError(`${flag}${where}: ${issue?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}

/** The options both venues take: where to listen, the seed and the account's credentials. */
interface CommonOptions {
  port: number;
  seed: number;
  apiKey: string;
  apiSecret: string;
}

const COMMON_FLAGS = {
  port: { type: 'string', default: '0' },
  'api-key': { type: 'string' },
  'api-secret': { type: 'string' },
  seed: { type: 'string', default: '1' },
  flow: { type: 'string' },
} as const;

/** parseArgs with its errors as usage errors. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function commonOptions(
  values: { port: string; seed: string; 'api-key'?: string | undefined; 'api-secret'?: string | undefined },
  env: NodeJS.ProcessEnv,
): CommonOptions {
  const port = Number(values.port);
  if (!/^\d{1,5}$/.test(values.port) || port > 65535)
    throw new UsageError(`--port must be 0-65535, got ${values.port}.`);
  const seed = Number(values.seed);
  if (!/^-?\d{1,15}$/.test(values.seed))
    throw new UsageError(`--seed must be an integer, got ${values.seed}.`);
  const apiKey = values['api-key'] ?? env['VENUE_SIM_API_KEY'];
  const apiSecret = values['api-secret'] ?? env['VENUE_SIM_API_SECRET'];
  if (apiKey === undefined || apiKey === '')
    throw new UsageError('--api-key KEY (or VENUE_SIM_API_KEY) is required.');
  if (apiSecret === undefined || apiSecret === '') {
    throw new UsageError('--api-secret SECRET (or VENUE_SIM_API_SECRET) is required.');
  }
  return { port, seed, apiKey, apiSecret };
}

function parseBybitArgs(argv: string[], env: NodeJS.ProcessEnv): BybitSimOptions {
  const { values } = usage(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { ...COMMON_FLAGS, 'funding-interval-ms': { type: 'string' }, quotas: { type: 'string' } },
    }),
  );
  const options: BybitSimOptions = commonOptions(values, env);
  const funding = values['funding-interval-ms'];
  if (funding !== undefined) {
    if (!/^\d{1,12}$/.test(funding) || Number(funding) < 1) {
      throw new UsageError(`--funding-interval-ms must be a positive whole number, got ${funding}.`);
    }
    options.fundingIntervalMs = Number(funding);
  }
  if (values.flow !== undefined) options.flow = jsonOption('--flow', values.flow, FLOW);
  if (values.quotas !== undefined) options.quotas = jsonOption('--quotas', values.quotas, QUOTAS);
  return options;
}

function parseMexcArgs(argv: string[], env: NodeJS.ProcessEnv): MexcSimOptions {
  const { values } = usage(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...COMMON_FLAGS,
        'limit-maker-cross': { type: 'string' },
        'rate-budget': { type: 'string' },
      },
    }),
  );
  const options: MexcSimOptions = commonOptions(values, env);
  if (values.flow !== undefined) options.flow = jsonOption('--flow', values.flow, FLOW);
  const cross = values['limit-maker-cross'];
  if (cross !== undefined) {
    if (cross !== 'reject' && cross !== 'cancel') {
      throw new UsageError(`--limit-maker-cross must be reject or cancel, got ${cross}.`);
    }
    options.limitMakerCross = cross;
  }
  const budget = values['rate-budget'];
  if (budget !== undefined) {
    if (!/^\d{1,7}$/.test(budget) || Number(budget) < 1) {
      throw new UsageError(`--rate-budget must be a positive whole number, got ${budget}.`);
    }
    options.rateLimit = { budget: Number(budget) };
  }
  return options;
}

/** Starts the venue's simulator; what it prints and how it closes are the same for both. */
async function start(
  venue: (typeof VENUES)[number],
  argv: string[],
): Promise<{ rest: string; ws: string; close(): Promise<void> }> {
  if (venue === 'mexc') return startMexcSim(parseMexcArgs(argv, process.env));
  return startBybitSim(parseBybitArgs(argv, process.env));
}

async function main(argv: string[]): Promise<number> {
  const [venue, ...rest] = argv;
  if (venue === undefined || !(VENUES as readonly string[]).includes(venue)) {
    throw new UsageError(
      `the first argument names the venue to simulate (${VENUES.join(' or ')}), got ${venue ?? 'nothing'}.`,
    );
  }
  const name = venue as (typeof VENUES)[number];
  // The handlers go in before the line is printed: a supervisor may signal as soon as it reads it.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const sim = await start(name, rest);
  process.stdout.write(`${JSON.stringify({ venue: name, rest: sim.rest, ws: sim.ws })}\n`);
  await stopped;
  await sim.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`venue-sim: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    // Not a usage error: report the message only (an options object could hold the secret).
    process.stderr.write(`venue-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
