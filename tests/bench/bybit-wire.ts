/**
 * bybit.tick_to_wire: a TradingApp quoting BTCUSDT spot through the Bybit adapter against the
 * simulator on loopback (the simulator off our event loop), timed inside our process from an
 * `orderbook` frame's `message` event on the public ws to the trade ws's `send` of the order frame it
 * caused (the last one of that macrotask turn; the trade channel batches in a microtask). The
 * screen is open meanwhile, attached as browser mode attaches it (screen.ts). The adapter's private
 * fields are reached into here, in the bench only, to find the ws instances.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Engine } from '../../engine/api/engine.ts';
import { WallClock } from '../../engine/core/clock.ts';
import type { InstrumentSpec } from '../../engine/core/instrument.ts';
import { TradingApp } from '../../engine/host/trading-app.ts';
import { defaultTradingConfig } from '../../engine/node/trading-config.ts';
import type { Emit } from './figure.ts';
import { measureHostTail, stealMeter } from './host-tail.ts';
import { attachScreen, type AttachedScreen } from './screen.ts';
import { machineBaseline, percentile, pinThisProcess } from './figure.ts';
import type { RunningSim, SimFlowOptions } from './bybit-sim.ts';
import { BENCH_KEY, BENCH_SECRET, spawnSimCli } from './bybit-sim.ts';

/**
 * Under the simulator's default flow (and quotas) the quotes move about 6 times a second: far too few
 * samples for a p99 in minutes. A faster, more volatile flow (a step every 10 ms, so the 20 ms
 * `orderbook.50` stream pushes on nearly every slot) and order quotas the requotes fit in.
 */
export const FAST_FLOW: NonNullable<SimFlowOptions['flow']> = {
  stepMs: 10,
  limitRate: 300,
  marketRate: 30,
  volatility: 2e-4,
};
const ORDER_PATHS = ['create', 'amend', 'cancel', 'create-batch', 'amend-batch', 'cancel-batch'];
export const HIGH_QUOTAS: Readonly<Record<string, number>> = Object.fromEntries(
  ORDER_PATHS.map((p) => [`/v5/order/${p}`, 1000]),
);
/**
 * The quote manager's refresh floor (100 ms by default) caps requotes at ~10 a second per order; off,
 * and the per-second order throttle raised to match, so most book frames that move a quote requote it.
 * The path from frame to wire is the same code either way.
 */
const QUOTING_OVERRIDES = { minRefreshMs: 0, orderRateCount: 1000 };

const WARM_UP_MS = 20_000;
const TARGET_SAMPLES = 2_500;
const MAX_MEASURE_MS = 110_000;
/** Raw `orderbook.50.BTCUSDT` frames kept for the decode bench (the first one a snapshot). */
const RECORD_FRAMES = 3_000;
const BOOK_TOPIC = 'orderbook.50.BTCUSDT';

/** What the bench reaches into: BybitVenue's three BybitSocket links and each one's ws instance. */
interface SocketInternals {
  socket: WebSocket | null;
  connects: number;
}
interface VenueInternals {
  publicSocket: SocketInternals;
  privateSocket: SocketInternals | null;
  tradeSocket: SocketInternals | null;
}

/** The simulator CLI with the fast flow and high quotas, in a child process (on `cpus`, if given). */
function startFastSim(seed: number, cpus: string | undefined): Promise<RunningSim> {
  return spawnSimCli(
    seed,
    ['--flow', JSON.stringify(FAST_FLOW), '--quotas', JSON.stringify(HIGH_QUOTAS)],
    cpus,
  );
}

export interface Pinning {
  simulator: string;
  ours: string;
  restore(): void;
}

/**
 * The venue stands on another machine; here it shares ours. Where there are at least two CPUs (and
 * taskset), the simulator gets the last one and this process (every thread) the others, for the
 * length of this figure only, so the simulator's work is not timed as ours whenever the scheduler
 * puts both on one CPU. BYBIT_BENCH_PIN=0 (or the `offSwitch` variable named) turns it off.
 */
export function pinApart(offSwitch = 'BYBIT_BENCH_PIN'): Pinning | undefined {
  const cpus = availableParallelism();
  if (cpus < 2 || process.env[offSwitch] === '0') return undefined;
  const simulator = String(cpus - 1);
  const ours = cpus === 2 ? '0' : `0-${cpus - 2}`;
  const restore = pinThisProcess(ours);
  return restore === undefined ? undefined : { simulator, ours, restore };
}

/** Records raw `orderbook.50.BTCUSDT` frames from the simulator on a plain socket of its own. */
function recordBookFrames(wsBase: string, max: number): { frames: string[]; close: () => void } {
  const frames: string[] = [];
  const ws = new WebSocket(`${wsBase}/v5/public/spot`);
  ws.on('open', () => {
    ws.send(JSON.stringify({ op: 'subscribe', args: [BOOK_TOPIC] }));
  });
  ws.on('message', (data: Buffer) => {
    if (frames.length >= max) return;
    const text = data.toString('utf8');
    if (!text.startsWith(`{"topic":"${BOOK_TOPIC}"`)) return;
    if (frames.length === 0 && !text.includes('"type":"snapshot"')) return;
    frames.push(text);
    // Full: the simulator stops sending to this socket (it would be its work, not ours, but on 2 cores).
    if (frames.length === max) ws.terminate();
  });
  ws.on('error', () => undefined);
  return { frames, close: () => ws.terminate() };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface WireOutcome {
  /** Recorded raw book frames, the first a snapshot. */
  frames: string[];
  /** BTCUSDT spot as the adapter loaded it from the simulator. */
  spec: InstrumentSpec;
}

export async function tickToWire(emit: Emit): Promise<WireOutcome> {
  const pinning = pinApart();
  // What this machine alone adds to a path of fixed length, on the same CPUs, before the run.
  const host = await measureHostTail({ senderCpus: pinning?.simulator }).catch((err: unknown) => {
    pinning?.restore();
    throw err;
  });
  const sim = await startFastSim(21, pinning?.simulator).catch((err: unknown) => {
    pinning?.restore();
    throw err;
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'mmws-bench-bybit-'));
  const recorder = recordBookFrames(sim.ws, RECORD_FRAMES);
  const clock = new WallClock();
  const app = new TradingApp(
    {
      dataDir,
      seed: 1,
      noStore: true,
      venue: { kind: 'bybit', env: 'testnet' },
      symbols: ['BTCUSDT'],
      venueContext: {
        credentials: { apiKey: BENCH_KEY, apiSecret: BENCH_SECRET },
        transport: { restUrl: sim.rest, wsUrl: sim.ws },
        category: 'spot',
      },
      config: (inst) => {
        const c = defaultTradingConfig(inst);
        c.quoting.minRefreshMs = QUOTING_OVERRIDES.minRefreshMs;
        c.limits.orderRateCount = QUOTING_OVERRIDES.orderRateCount;
        return c;
      },
    },
    clock,
  );
  const engine = new Engine({ clock, session: app });
  let screen: AttachedScreen | undefined;
  try {
    await engine.start();
    // The screen open, as a trader has it; its reader on the simulator's CPU, not ours.
    screen = await attachScreen(engine, pinning?.simulator);
    const started = await engine.invoke('quoting.start', {});
    if (!started.ok) throw new Error(`quoting.start refused: ${started.error.message}`);
    const spec = (await app.venue.instruments()).find((s) => s.symbol === 'BTCUSDT');
    if (!spec) throw new Error('the simulator lists no BTCUSDT spot');

    // ---- instrumentation ----------------------------------------------------------------------
    const venue = app.venue as unknown as VenueInternals;
    const samples = new Float64Array(TARGET_SAMPLES * 2);
    const inSend = new Float64Array(TARGET_SAMPLES * 2);
    let n = 0;
    let measuring = false;
    /** The book frame of the current macrotask turn, if any (0: none). */
    let openFrame = 0;
    let frameSeq = 0;
    let frameT0 = 0;
    let sampledFrame = 0;
    let bookFrames = 0;
    let orderSends = 0;
    let unattributed = 0;
    let multiSendTurns = 0;
    const close = () => {
      openFrame = 0;
    };
    const onPublic = (data: Buffer) => {
      const t0 = performance.now();
      if (data.toString('latin1', 0, 20) !== '{"topic":"orderbook.') return;
      frameT0 = t0;
      const id = ++frameSeq;
      openFrame = id;
      if (measuring) bookFrames++;
      // The turn ends before the event loop's next timers; other sockets' callbacks close it sooner.
      setImmediate(() => {
        if (openFrame === id) openFrame = 0;
      });
    };
    const wrapSend = (ws: WebSocket) => {
      const send = ws.send.bind(ws) as (data: unknown, ...rest: unknown[]) => void;
      (ws as unknown as { send: typeof send }).send = (data: unknown, ...rest: unknown[]) => {
        // The frame is handed to the socket now; what ws.send then costs (framing, masking, the
        // write syscall, which on loopback also runs the receiving side's TCP work) is kept apart.
        const t1 = performance.now();
        send(data, ...rest);
        const t2 = performance.now();
        if (!measuring || typeof data !== 'string' || !data.includes('"op":"order.')) return;
        orderSends++;
        if (openFrame === 0) {
          unattributed++;
          return;
        }
        // Several sends in one turn (one per operation and category): the frame's sample is its last.
        if (sampledFrame !== openFrame) {
          if (n === samples.length) return;
          n++;
          sampledFrame = openFrame;
        } else multiSendTurns++;
        samples[n - 1] = (t1 - frameT0) * 1000;
        inSend[n - 1] = (t2 - t1) * 1000;
      };
    };
    const seen = new WeakSet<WebSocket>();
    let swaps = 0;
    const instrument = () => {
      const pub = venue.publicSocket.socket;
      const priv = venue.privateSocket?.socket ?? null;
      const trade = venue.tradeSocket?.socket ?? null;
      for (const [ws, how] of [
        [pub, 'public'],
        [priv, 'other'],
        [trade, 'trade'],
      ] as const) {
        if (ws === null || seen.has(ws)) continue;
        seen.add(ws);
        swaps++;
        if (how === 'public') ws.prependListener('message', onPublic);
        else ws.prependListener('message', close);
        if (how === 'trade') wrapSend(ws);
      }
    };
    instrument();
    // A reconnect replaces a ws instance: the new one is instrumented too (and counted).
    const watch = setInterval(instrument, 200);

    const baseline = machineBaseline();
    await sleep(WARM_UP_MS);
    const stolen = stealMeter();
    measuring = true;
    const t0 = Date.now();
    while (n < TARGET_SAMPLES && Date.now() - t0 < MAX_MEASURE_MS) await sleep(250);
    measuring = false;
    const stealPct = stolen();
    const measuredS = (Date.now() - t0) / 1000;
    const shown = await screen?.close();
    screen = undefined;
    clearInterval(watch);

    const sorted = samples.slice(0, n).sort();
    const sendSorted = inSend.slice(0, n).sort();
    const round1 = (x: number) => Math.round(x * 10) / 10;
    const common = {
      unit: 'us',
      samples: n,
      path: 'public ws message (orderbook.50) -> decodeBookText -> desk.onBook (book, model, quotes, OMS, risk) -> trade channel microtask flush -> trade ws.send called',
    };
    emit({
      figure: 'bybit.tick_to_wire_p50_us',
      value: round1(percentile(sorted, 50)),
      ...common,
    });
    emit({
      figure: 'bybit.tick_to_wire_p99_us',
      value: round1(percentile(sorted, 99)),
      ...common,
      p90_us: round1(percentile(sorted, 90)),
      p999_us: round1(percentile(sorted, 99.9)),
      max_us: round1(sorted[sorted.length - 1] ?? Number.NaN),
      goal_us: 250,
      // Not in the figure: the ws.send call itself (on loopback the kernel runs the receiver's TCP
      // path inside the sender's write).
      ws_send_call_p50_us: round1(percentile(sendSorted, 50)),
      ws_send_call_p99_us: round1(percentile(sendSorted, 99)),
      book_frames: bookFrames,
      order_sends: orderSends,
      sends_outside_a_book_turn: unattributed,
      later_sends_in_a_sampled_turn: multiSendTurns,
      warm_up_s: WARM_UP_MS / 1000,
      measured_s: Math.round(measuredS * 10) / 10,
      simulator: sim.where,
      flow: FAST_FLOW,
      quoting_overrides: QUOTING_OVERRIDES,
      ws_instances: swaps,
      screen: shown === undefined ? 'off (BENCH_SCREEN=0)' : { via: 'engine/host/ws-server.ts', ...shown },
      cpus: pinning === undefined ? 'not pinned' : { simulator: pinning.simulator, ours: pinning.ours },
      // The hypervisor's stolen share of the CPUs while the samples were taken, and the
      // machine's own tail on a fixed loop (host-tail.ts): the floor under this figure.
      steal_pct_while_measured: stealPct,
      host_tail: host,
      machine_rng_per_s: baseline,
    });
    if (n < 2000) throw new Error(`only ${n} tick-to-wire samples in ${measuredS} s`);
    return { frames: recorder.frames, spec };
  } finally {
    await screen?.close().catch(() => undefined);
    recorder.close();
    await engine.stop().catch(() => undefined);
    await sim.close();
    pinning?.restore();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
