/**
 * mexc.tick_to_wire: a TradingApp quoting BTCUSDT through the MEXC adapter against the simulator on
 * loopback (the simulator in a child process, on a CPU of its own where there are two), timed inside
 * our process from a depth push's `message` event on the public ws to the REST order request (a
 * create or a cancel: MEXC spot has no amend) it caused, handed to the HTTP client: the adapter's
 * call of node:http's `request` in MexcHttp.send (http-transport.ts). Until the adapter moved off
 * `fetch` (issue 15) the point was its `fetch` call in MexcRest.send; node's `request` is the same
 * point, the first call into the HTTP client, which builds the request there and writes it later,
 * as undici did. The screen is open meanwhile, attached as browser mode attaches it (screen.ts).
 * The adapter's private fields are reached into, in the bench only: the ws instances,
 * and the transport's `request` and `send`, wrapped while measuring and put back when it ends.
 *
 * MEXC order entry is REST, and the adapter sends a request synchronously inside the push's handler
 * (no microtask or batch in between), so a request is attributed to the push whose handler is on the
 * stack: a listener put before the adapter's opens the push, one after it closes it. A request that
 * comes later in the same macrotask turn, or in another turn (a replacement placed when its cancel's
 * answer came back), is counted beside the figure, not in it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { EngineState } from '../../engine/api/contract.ts';
import { Engine } from '../../engine/api/engine.ts';
import { WallClock } from '../../engine/core/clock.ts';
import type { InstrumentSpec } from '../../engine/core/instrument.ts';
import { TradingApp } from '../../engine/host/trading-app.ts';
import { defaultTradingConfig } from '../../engine/node/trading-config.ts';
import { decodePush } from '../../engine/venues/mexc/proto/codec.ts';
import { DEPTH_PATH, SNAPSHOT_DEPTH } from '../../engine/venues/mexc/rest-streams.ts';
import type { VenueNotice } from '../../engine/venues/venue.ts';
import type { RunningSim } from './bybit-sim.ts';
import { FAST_FLOW, pinApart } from './bybit-wire.ts';
import type { Emit } from './figure.ts';
import { measureHostTail, stealMeter } from './host-tail.ts';
import { attachScreen, type AttachedScreen } from './screen.ts';
import { machineBaseline, percentile } from './figure.ts';
import { MEXC_BENCH_KEY, MEXC_BENCH_SECRET, SIM_RATE_BUDGET, spawnMexcSim } from './mexc-sim.ts';

/**
 * The adapter keeps each order endpoint to MEXC's 500 requests per 10 s (50 a second: rate-limit.ts).
 * Two quotes, each cancelled at most every 50 ms and placed again once the cancel is answered, stay
 * under 40 a second per endpoint, so no request waits in the adapter's limiter (a wait would move
 * its send out of the push's turn) and none is refused locally. The risk engine's per-second order
 * throttle (50 by default, counting cancels and creates together) is raised to match. The path from
 * push to wire is the same code at any refresh rate.
 */
const QUOTING_OVERRIDES = { minRefreshMs: 50, orderRateCount: 1000 };

const WARM_UP_MS = 20_000;
const TARGET_SAMPLES = 2_500;
const MAX_MEASURE_MS = 110_000;
/** Raw depth pushes kept for the decode bench. */
const RECORD_FRAMES = 3_000;
const SYMBOL = 'BTCUSDT';
/** The adapter's default push interval (mexc-venue.ts), recorded on the same channel. */
const DEPTH_CHANNEL = `spot@public.aggre.depth.v3.api.pb@10ms@${SYMBOL}`;
/** The channel name as it starts a depth push: field 1 (tag 0x0a, a one-byte length) comes first. */
const DEPTH_PREFIX = 'spot@public.aggre.depth';
/** The simulator closes a subscribed link that sends nothing for 60 s. */
const RECORDER_PING_MS = 15_000;

/** What the bench reaches into: the public stream's links and the user stream, each one's ws. */
interface SocketInternals {
  socket: WebSocket | null;
  connects: number;
}
interface VenueInternals {
  publicStream: { links: { socket: SocketInternals }[] };
  userStream: { socket: SocketInternals } | null;
  onNotice(listener: (n: VenueNotice) => void): () => void;
  rest: { http: TransportInternals };
}
/** MexcHttp: node's `request` it calls (the hook), and its own `send` around it. */
interface TransportInternals {
  request: (options: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;
  send: (...args: unknown[]) => Promise<unknown>;
}

/** The REST depth body a recording starts from, and the pushes that continue it, in order. */
export interface DepthRecording {
  snapshot: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] };
  /** Binary pushes as they came off the socket; the first continues the snapshot, each the last. */
  frames: Buffer[];
  /** Pushes received before the snapshot's version and dropped. */
  stale: number;
}

export interface WireOutcome {
  recording: DepthRecording;
  /** GET /api/v3/exchangeInfo as the simulator answered it (ccxt's markets, offline). */
  exchangeInfo: unknown;
  /** BTCUSDT as the adapter loaded it from the simulator. */
  spec: InstrumentSpec;
}

interface Recorder {
  /** Resolves once the channel is acknowledged and the snapshot taken. */
  ready: Promise<void>;
  frames: Buffer[];
  snapshot: () => DepthRecording['snapshot'] | undefined;
  close: () => void;
}

/**
 * Records raw depth pushes on a plain socket of its own, and, once the channel is acknowledged
 * (pushes are being kept), the REST snapshot they continue (B9's steps 1 and 2).
 */
function recordDepth(sim: RunningSim, max: number): Recorder {
  const frames: Buffer[] = [];
  let snapshot: DepthRecording['snapshot'] | undefined;
  const ws = new WebSocket(sim.ws);
  const ping = setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) ws.send('{"method":"PING"}');
  }, RECORDER_PING_MS);
  const ready = new Promise<void>((resolve, reject) => {
    ws.on('open', () => {
      ws.send(JSON.stringify({ method: 'SUBSCRIPTION', params: [DEPTH_CHANNEL] }));
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        if (snapshot !== undefined || !data.toString('utf8').includes(`"msg":"${DEPTH_CHANNEL}"`)) return;
        const url = `${sim.rest}${DEPTH_PATH}?symbol=${SYMBOL}&limit=${SNAPSHOT_DEPTH}`;
        fetch(url)
          .then(
            (r) =>
              r.json() as Promise<
                Omit<DepthRecording['snapshot'], 'lastUpdateId'> & { lastUpdateId: unknown }
              >,
          )
          .then((body) => {
            snapshot = { ...body, lastUpdateId: Number(body.lastUpdateId) };
            resolve();
          })
          .catch(reject);
        return;
      }
      if (frames.length >= max) return;
      if (data.toString('latin1', 2, 2 + DEPTH_PREFIX.length) !== DEPTH_PREFIX) return;
      frames.push(Buffer.from(data));
      // Full: the simulator stops sending to this socket (it would be its work, not ours, but on 2 cores).
      if (frames.length === max) ws.terminate();
    });
    ws.on('error', reject);
  });
  ready.catch(() => undefined);
  return {
    ready,
    frames,
    snapshot: () => snapshot,
    close: () => {
      clearInterval(ping);
      ws.terminate();
    },
  };
}

/**
 * The pushes that continue the snapshot (B9 step 5 and 6): those ending before its version go, the
 * first kept must start no later than version + 1, and every later one right after the last.
 */
function alignRecording(snapshot: DepthRecording['snapshot'], raw: readonly Buffer[]): DepthRecording {
  const frames: Buffer[] = [];
  let stale = 0;
  let last = snapshot.lastUpdateId;
  for (const frame of raw) {
    const body = decodePush(frame).publicAggreDepths;
    if (!body) throw new Error('a recorded depth frame without a depth body');
    const from = Number(body.fromVersion);
    const to = Number(body.toVersion);
    if (frames.length === 0) {
      if (to <= snapshot.lastUpdateId) {
        stale++;
        continue;
      }
      if (from > snapshot.lastUpdateId + 1)
        throw new Error(`the recording starts at ${from}, after snapshot ${snapshot.lastUpdateId}`);
    } else if (from !== last + 1) throw new Error(`recorded depth pushes break off: ${from} after ${last}`);
    frames.push(frame);
    last = to;
  }
  return { snapshot, frames, stale };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round1 = (x: number) => Math.round(x * 10) / 10;

export async function tickToWire(emit: Emit): Promise<WireOutcome> {
  const pinning = pinApart('MEXC_BENCH_PIN');
  // What this machine alone adds to a path of fixed length, on the same CPUs, before the run.
  const host = await measureHostTail({ senderCpus: pinning?.simulator }).catch((err: unknown) => {
    pinning?.restore();
    throw err;
  });
  const sim = await spawnMexcSim(21, pinning?.simulator).catch((err: unknown) => {
    pinning?.restore();
    throw err;
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'mmws-bench-mexc-'));
  const recorder = recordDepth(sim, RECORD_FRAMES);
  const clock = new WallClock();
  const app = new TradingApp(
    {
      dataDir,
      seed: 1,
      noStore: true,
      venue: { kind: 'mexc' },
      symbols: [SYMBOL],
      venueContext: {
        credentials: { apiKey: MEXC_BENCH_KEY, apiSecret: MEXC_BENCH_SECRET },
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
    const exchangeInfo: unknown = await (await fetch(`${sim.rest}/api/v3/exchangeInfo`)).json();
    await engine.start();
    // The screen open, as a trader has it; its reader on the simulator's CPU, not ours.
    screen = await attachScreen(engine, pinning?.simulator);
    const started = await engine.invoke('quoting.start', {});
    if (!started.ok) throw new Error(`quoting.start refused: ${started.error.message}`);
    const spec = (await app.venue.instruments()).find((s) => s.symbol === SYMBOL);
    if (!spec) throw new Error(`the simulator lists no ${SYMBOL}`);

    // ---- instrumentation ----------------------------------------------------------------------
    const venue = app.venue as unknown as VenueInternals;
    if (!Array.isArray((venue as Partial<VenueInternals>).publicStream?.links))
      throw new Error('MexcVenue internals changed: the bench finds no publicStream.links');
    const notices = new Map<string, number>();
    const offNotice = venue.onNotice((n) => notices.set(n.code, (notices.get(n.code) ?? 0) + 1));
    const last = new Float64Array(TARGET_SAMPLES * 2);
    const first = new Float64Array(TARGET_SAMPLES * 2);
    const inSend = new Float64Array(TARGET_SAMPLES * 4);
    let n = 0;
    let sendCalls = 0;
    let measuring = false;
    /** The depth push whose handler is on the stack (0: none). */
    let inFrame = 0;
    /** The depth push of the current macrotask turn (0: none). */
    let turnFrame = 0;
    let frameSeq = 0;
    let frameT0 = 0;
    let sampledFrame = 0;
    let bookFrames = 0;
    const requests = { create: 0, cancel: 0 };
    let laterInTurn = 0;
    let outsideAFrame = 0;
    let multiRequestFrames = 0;
    const onPublicFirst = (data: Buffer, isBinary: boolean) => {
      const t0 = performance.now();
      if (!isBinary || data.toString('latin1', 2, 2 + DEPTH_PREFIX.length) !== DEPTH_PREFIX) {
        turnFrame = 0;
        return;
      }
      frameT0 = t0;
      const id = ++frameSeq;
      inFrame = id;
      turnFrame = id;
      if (measuring) bookFrames++;
      setImmediate(() => {
        if (turnFrame === id) turnFrame = 0;
      });
    };
    const onPublicLast = () => {
      inFrame = 0;
    };
    const closeTurn = () => {
      turnFrame = 0;
    };
    // Where the time goes, beside the figure: the push to the engine's first call into the venue
    // (decode, book, model, quotes, risk, OMS), the rest being the adapter's (checks, wire text,
    // signing) up to node's request.
    const toVenue = new Float64Array(TARGET_SAMPLES * 2);
    let venueCalls = 0;
    let calledFrame = 0;
    const orderEntry = app.venue as unknown as Record<'placeOrder' | 'cancelOrder', (r: unknown) => unknown>;
    for (const method of ['placeOrder', 'cancelOrder'] as const) {
      const call = orderEntry[method].bind(app.venue);
      // An own property in front of the prototype's method, deleted again when measuring ends.
      orderEntry[method] = (request: unknown) => {
        if (measuring && inFrame !== 0 && calledFrame !== inFrame && venueCalls < toVenue.length) {
          calledFrame = inFrame;
          toVenue[venueCalls++] = (performance.now() - frameT0) * 1000;
        }
        return call(request);
      };
    }
    const transport = venue.rest.http as Partial<TransportInternals> | undefined;
    if (typeof transport?.request !== 'function' || typeof transport.send !== 'function')
      throw new Error('MexcRest internals changed: the bench finds no rest.http.request / send');
    const originalRequest = transport.request;
    const originalSend = transport.send.bind(transport);
    const orderPath = '/api/v3/order?';
    let orderSend = false;
    // An own property in front of the prototype's method. Not in the figure: the whole of
    // MexcHttp.send for an order (node:http builds the request, the deadline is registered; the
    // write comes after the push's handler).
    transport.send = (...args: unknown[]) => {
      const t0 = performance.now();
      const answer = originalSend(...args);
      if (orderSend && sendCalls < inSend.length) inSend[sendCalls++] = (performance.now() - t0) * 1000;
      orderSend = false;
      return answer;
    };
    transport.request = (options, onResponse) => {
      const t1 = performance.now();
      const answer = originalRequest(options, onResponse);
      if (!measuring || !(options.path ?? '').startsWith(orderPath)) return answer;
      orderSend = true;
      if (options.method === 'POST') requests.create++;
      else if (options.method === 'DELETE') requests.cancel++;
      if (inFrame === 0) {
        if (turnFrame !== 0) laterInTurn++;
        else outsideAFrame++;
        return answer;
      }
      const us = (t1 - frameT0) * 1000;
      // Several requests from one push (both quotes moved): its first and its last are both kept.
      if (sampledFrame !== inFrame) {
        if (n === last.length) return answer;
        first[n] = us;
        n++;
        sampledFrame = inFrame;
      } else multiRequestFrames++;
      last[n - 1] = us;
      return answer;
    };

    const seen = new WeakSet<WebSocket>();
    let swaps = 0;
    const instrument = () => {
      const links = venue.publicStream.links.map((l) => l.socket.socket);
      const user = venue.userStream?.socket.socket ?? null;
      for (const [ws, how] of [...links.map((l) => [l, 'public'] as const), [user, 'user'] as const]) {
        if (ws === null || seen.has(ws)) continue;
        seen.add(ws);
        swaps++;
        if (how === 'public') {
          ws.prependListener('message', onPublicFirst);
          ws.on('message', onPublicLast);
        } else ws.prependListener('message', closeTurn);
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
    offNotice();
    delete (orderEntry as Partial<typeof orderEntry>).placeOrder;
    delete (orderEntry as Partial<typeof orderEntry>).cancelOrder;
    // `request` is the transport's own field, `send` its prototype's method.
    transport.request = originalRequest;
    delete transport.send;

    const sorted = last.slice(0, n).sort();
    const firstSorted = first.slice(0, n).sort();
    const sendSorted = inSend.slice(0, sendCalls).sort();
    const toVenueSorted = toVenue.slice(0, venueCalls).sort();
    const common = {
      unit: 'us',
      samples: n,
      path: `public ws message (${DEPTH_CHANNEL}) -> decodePush -> depthUpdateFromPush -> desk.onBook (book, model, quotes, OMS, risk) -> MexcVenue.cancelOrder / placeOrder -> MexcRest.signed (HMAC) -> MexcHttp.send -> node:http request called`,
    };
    emit({ figure: 'mexc.tick_to_wire_p50_us', value: round1(percentile(sorted, 50)), ...common });
    emit({
      figure: 'mexc.tick_to_wire_p99_us',
      value: round1(percentile(sorted, 99)),
      ...common,
      p90_us: round1(percentile(sorted, 90)),
      p999_us: round1(percentile(sorted, 99.9)),
      max_us: round1(sorted[sorted.length - 1] ?? Number.NaN),
      goal_us: 250,
      // The figure is a push's last request; its first one, where it sent two, comes earlier.
      first_request_p50_us: round1(percentile(firstSorted, 50)),
      first_request_p99_us: round1(percentile(firstSorted, 99)),
      // The first request's time split: up to the engine's call into MexcVenue, and the adapter's.
      to_venue_call_p50_us: round1(percentile(toVenueSorted, 50)),
      to_venue_call_p99_us: round1(percentile(toVenueSorted, 99)),
      // Not in the figure: MexcHttp.send for an order (fetch_call_* until the adapter left fetch).
      http_send_p50_us: round1(percentile(sendSorted, 50)),
      http_send_p99_us: round1(percentile(sendSorted, 99)),
      book_frames: bookFrames,
      order_requests: requests,
      requests_from_a_push_after_its_first: multiRequestFrames,
      // Not caused inside a push's handler: later in its turn, or in another turn (most of these are
      // the replacement placed when a cancel's answer arrives).
      requests_later_in_a_push_turn: laterInTurn,
      requests_outside_a_push: outsideAFrame,
      venue_notices: Object.fromEntries(notices),
      warm_up_s: WARM_UP_MS / 1000,
      measured_s: round1(measuredS),
      simulator: sim.where,
      flow: FAST_FLOW,
      simulator_rate_budget: SIM_RATE_BUDGET,
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
    if (n < 2000) {
      // Say why: quoting stopped, risk halted, the link down (the engine's own view of it).
      const state = await engine.invoke('engine.snapshot', {});
      const value = state.ok ? (state.value as EngineState) : undefined;
      const view = value
        ? JSON.stringify({
            instruments: value.instruments,
            quoting: value.quoting,
            connection: value.connection,
            alerts: value.alerts.slice(-5),
          })
        : 'no snapshot';
      throw new Error(`only ${n} tick-to-wire samples in ${measuredS} s; the engine: ${view}`);
    }

    await recorder.ready;
    const snapshot = recorder.snapshot();
    if (!snapshot) throw new Error('the recorder took no depth snapshot');
    const recording = alignRecording(snapshot, recorder.frames);
    return { recording, exchangeInfo, spec };
  } finally {
    await screen?.close().catch(() => undefined);
    recorder.close();
    await engine.stop().catch(() => undefined);
    await sim.close();
    pinning?.restore();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
