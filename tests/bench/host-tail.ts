/**
 * The tail this machine adds to any path timed from a socket's `message` event, measured in the same
 * run as a latency figure and beside it: a fixed loop run on every frame of a plain WebSocket at the
 * bench's frame rate, on the CPU the engine gets, fed by a child process on the simulator's CPU
 * (host-tail-sender.ts). The loop does the same work every time and touches no memory, so its spread
 * is the machine's alone: stolen time on a shared VM, interrupts, the wake-up. Its p99 is the lowest
 * p99 a path with that median could have here; a real path, which also finds its caches emptied by
 * whatever ran in between, has a higher floor still.
 *
 * The loops of each size are interleaved frame by frame, so a slow minute of the machine falls on
 * every size alike.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { onCpus, percentile } from './figure.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface HostTailOptions {
  /** The sender's CPUs (taskset's list form); unpinned where undefined. */
  senderCpus?: string | undefined;
  intervalMs?: number;
  /** Warm lengths of the fixed loop, µs. */
  workUs?: readonly number[];
  samplesEach?: number;
  warmUpFrames?: number;
}

export interface FixedWork {
  /** What the loop takes warm, back to back (its calibration). */
  warm_us: number;
  /** From the frame's `message` event to the loop's end. */
  p50_us: number;
  p90_us: number;
  p99_us: number;
}

export interface HostTail {
  what: string;
  interval_ms: number;
  samples_each: number;
  fixed_work: FixedWork[];
  /** The share of all CPUs' time the hypervisor took while it ran (Linux's steal time), %. */
  steal_pct: number | null;
}

/** The part of the WebAssembly API used here (the project's typings leave out the DOM's). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};

/** Signed LEB128, as WebAssembly encodes an i32.const. */
function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/**
 * `spin(n, x)`: n steps of an integer generator, x = x·1664525 + 1013904223, in WebAssembly. Not in
 * JavaScript: a JS loop called a hundred times a second is inlined into its caller's Maglev code,
 * which here ran it five times slower than the same loop run back to back, a change of the JIT's
 * tier in the middle of the measurement, not of the machine. Wasm code does not depend on its caller.
 */
export function wasmSpin(): (n: number, x: number) => number {
  const body = [
    0x00, // no locals
    ...[0x02, 0x40, 0x03, 0x40], // block, loop
    ...[0x20, 0x00, 0x45, 0x0d, 0x01], // if n == 0: leave the block
    ...[0x20, 0x01, 0x41, ...sleb(1_664_525), 0x6c, 0x41, ...sleb(1_013_904_223), 0x6a, 0x21, 0x01],
    ...[0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00], // n -= 1
    ...[0x0c, 0x00, 0x0b, 0x0b], // again; end loop, end block
    ...[0x20, 0x01, 0x0b], // x
  ];
  const bytes = new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f], // type: (i32, i32) -> i32
    ...[0x03, 0x02, 0x01, 0x00], // one function of that type
    ...[0x07, 0x08, 0x01, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x00], // exported as "spin"
    ...[0x0a, body.length + 2, 0x01, body.length, ...body],
  ]);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  return instance.exports['spin'] as (n: number, x: number) => number;
}

const wasm = wasmSpin();
let sink = 1;

function spin(n: number): void {
  sink = wasm(n, sink);
}

/** The loop length that takes `us` warm, by the median of repeated timings. */
function calibrate(us: number): { n: number; warmUs: number } {
  let n = 1000;
  const time = (k: number): number => {
    const ts: number[] = [];
    for (let r = 0; r < 41; r++) {
      const t0 = performance.now();
      spin(k);
      ts.push((performance.now() - t0) * 1000);
    }
    return ts.sort((a, b) => a - b)[20]!;
  };
  for (let round = 0; round < 8; round++) n = Math.max(100, Math.round((n * us) / Math.max(time(n), 0.5)));
  return { n, warmUs: Math.round(time(n) * 10) / 10 };
}

/**
 * Total and stolen jiffies of all CPUs from /proc/stat's first line ("cpu  user nice system idle
 * iowait irq softirq steal guest guest_nice"; guest time is already inside user).
 */
export function parseCpuLine(line: string): { total: number; steal: number } | undefined {
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== 'cpu' || fields.length < 9) return undefined;
  const counts = fields.slice(1, 9).map(Number);
  if (!counts.every((c) => Number.isInteger(c) && c >= 0)) return undefined;
  return { total: counts.reduce((a, b) => a + b, 0), steal: counts[7]! };
}

/** Undefined off Linux. */
function cpuTimes(): { total: number; steal: number } | undefined {
  try {
    return parseCpuLine(readFileSync('/proc/stat', 'utf8').split('\n')[0]!);
  } catch {
    return undefined;
  }
}

/**
 * Starts counting the hypervisor's stolen time; the returned function gives the share of all CPUs'
 * time stolen since, in % (null off Linux).
 */
export function stealMeter(): () => number | null {
  const before = cpuTimes();
  return () => {
    const after = cpuTimes();
    if (before === undefined || after === undefined || after.total === before.total) return null;
    return Math.round(((after.steal - before.steal) / (after.total - before.total)) * 1000) / 10;
  };
}

export async function measureHostTail(options: HostTailOptions = {}): Promise<HostTail> {
  const intervalMs = options.intervalMs ?? 10;
  const workUs = options.workUs ?? [50, 100, 200];
  const samplesEach = options.samplesEach ?? 1500;
  const warmUpFrames = options.warmUpFrames ?? 500;
  const loops = workUs.map(calibrate);

  const [command, args] = onCpus(options.senderCpus, [
    process.execPath,
    join(here, 'host-tail-sender.ts'),
    String(intervalMs),
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the host-tail sender exited with ${code}`)));
      child.stdout.setEncoding('utf8');
      child.stdout.once('data', (line: string) => resolve((JSON.parse(line) as { port: number }).port));
    });
    const times = loops.map(() => new Float64Array(samplesEach));
    let frames = 0;
    let stolen: (() => number | null) | undefined;
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', () => {
        const t0 = performance.now();
        const k = frames % loops.length;
        const at = Math.floor(frames / loops.length) - Math.ceil(warmUpFrames / loops.length);
        frames++;
        spin(loops[k]!.n);
        if (at < 0) return;
        if (at === 0 && k === 0) stolen = stealMeter();
        if (at < samplesEach) times[k]![at] = (performance.now() - t0) * 1000;
        else if (k === loops.length - 1) resolve();
      });
    });
    const steal = stolen?.() ?? null;
    ws.terminate();
    const round1 = (x: number) => Math.round(x * 10) / 10;
    return {
      what: 'a fixed loop on every frame of a plain ws at the bench rate, message event to loop end',
      interval_ms: intervalMs,
      samples_each: samplesEach,
      fixed_work: loops.map((loop, k) => {
        const sorted = times[k]!.sort();
        return {
          warm_us: loop.warmUs,
          p50_us: round1(percentile(sorted, 50)),
          p90_us: round1(percentile(sorted, 90)),
          p99_us: round1(percentile(sorted, 99)),
        };
      }),
      steal_pct: steal,
    };
  } finally {
    process.off('exit', orphan);
    child.kill('SIGTERM');
  }
}
