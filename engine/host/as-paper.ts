#!/usr/bin/env node
/**
 * The numerical experiment of Avellaneda & Stoikov (2008), run on the production model code
 * (engine/strategy/models.ts): an arithmetic Brownian mid, Poisson fills with intensity A·e^(−κδ), the
 * inventory strategy against a symmetric one quoting the inventory strategy's average spread around
 * the mid. `npm run as-paper -- [--json] [--runs N] [--seed N]`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../core/random.ts';
import { avellanedaStoikov } from '../strategy/models.ts';

export interface PaperParams {
  s0: number;
  sigma: number;
  T: number;
  dt: number;
  kappa: number;
  A: number;
  gammas: number[];
  runs: number;
  seed: number;
}

export const PAPER: PaperParams = {
  s0: 100,
  sigma: 2,
  T: 1,
  dt: 0.005,
  kappa: 1.5,
  A: 140,
  gammas: [0.1, 0.01, 1],
  runs: 1000,
  seed: 1,
};

export interface PaperRow {
  gamma: number;
  strategy: 'inventory' | 'symmetric';
  spread: number;
  profit: number;
  std_profit: number;
  final_q: number;
  std_final_q: number;
}

interface RunResult {
  profit: number;
  q: number;
  spreadSum: number;
  steps: number;
}

/** One path. `fixedSpread` given: symmetric quotes around the mid; otherwise the inventory model. */
function simulate(p: PaperParams, gamma: number, rng: Rng, fixedSpread: number | undefined): RunResult {
  const steps = Math.round(p.T / p.dt);
  const step = p.sigma * Math.sqrt(p.dt);
  let s = p.s0;
  let q = 0;
  let cash = 0;
  let spreadSum = 0;
  for (let i = 0; i < steps; i++) {
    let bid: number;
    let ask: number;
    if (fixedSpread === undefined) {
      const m = avellanedaStoikov({ s, q, sigma: p.sigma, gamma, kappa: p.kappa, tau: p.T - i * p.dt });
      if (!m.ok) throw new Error(`model refused: ${m.reason}`);
      bid = s - m.value.bidDistance;
      ask = s + m.value.askDistance;
      spreadSum += m.value.spread;
    } else {
      bid = s - fixedSpread / 2;
      ask = s + fixedSpread / 2;
      spreadSum += fixedSpread;
    }
    // Draw both sides every step, in a fixed order, so the two strategies see the same randomness.
    const uBid = rng.next();
    const uAsk = rng.next();
    if (uBid < p.A * Math.exp(-p.kappa * (s - bid)) * p.dt) {
      q += 1;
      cash -= bid;
    }
    if (uAsk < p.A * Math.exp(-p.kappa * (ask - s)) * p.dt) {
      q -= 1;
      cash += ask;
    }
    s += rng.next() < 0.5 ? step : -step;
  }
  return { profit: cash + q * s, q, spreadSum, steps };
}

function stats(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

export function runPaper(p: PaperParams = PAPER): PaperRow[] {
  if (!Number.isInteger(p.runs) || p.runs < 2) throw new RangeError('runs must be an integer ≥ 2');
  const rows: PaperRow[] = [];
  for (const gamma of p.gammas) {
    const inv: RunResult[] = [];
    for (let r = 0; r < p.runs; r++) inv.push(simulate(p, gamma, new Rng(p.seed * 1_000_003 + r), undefined));
    const avgSpread = inv.reduce((a, x) => a + x.spreadSum, 0) / inv.reduce((a, x) => a + x.steps, 0);
    const sym: RunResult[] = [];
    for (let r = 0; r < p.runs; r++) sym.push(simulate(p, gamma, new Rng(p.seed * 1_000_003 + r), avgSpread));
    for (const [strategy, results] of [
      ['inventory', inv],
      ['symmetric', sym],
    ] as const) {
      const profit = stats(results.map((x) => x.profit));
      const q = stats(results.map((x) => x.q));
      rows.push({
        gamma,
        strategy,
        spread: avgSpread,
        profit: profit.mean,
        std_profit: profit.std,
        final_q: q.mean,
        std_final_q: q.std,
      });
    }
  }
  return rows;
}

function table(rows: PaperRow[]): string {
  const head = ['gamma', 'strategy', 'spread', 'profit', 'std(profit)', 'final q', 'std(final q)'];
  const body = rows.map((r) => [
    String(r.gamma),
    r.strategy,
    r.spread.toFixed(2),
    r.profit.toFixed(2),
    r.std_profit.toFixed(2),
    r.final_q.toFixed(3),
    r.std_final_q.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function main(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        runs: { type: 'string', default: '1000' },
        seed: { type: 'string', default: '1' },
      },
    }));
  } catch (err) {
    process.stderr.write(
      `as-paper: ${(err as Error).message}\nusage: as-paper [--json] [--runs N] [--seed N]\n`,
    );
    return 2;
  }
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  if (!Number.isInteger(runs) || runs < 2 || runs > 1_000_000) {
    process.stderr.write(`as-paper: --runs must be a whole number from 2 to 1000000, got ${values.runs}\n`);
    return 2;
  }
  if (!Number.isSafeInteger(seed)) {
    process.stderr.write(`as-paper: --seed must be a whole number, got ${values.seed}\n`);
    return 2;
  }
  const rows = runPaper({ ...PAPER, runs, seed });
  if (values.json) {
    for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
  } else {
    process.stdout.write(
      `Avellaneda-Stoikov (2008) simulation: s=100 σ=2 T=1 dt=0.005 κ=1.5 A=140, ${runs} runs, seed ${seed}\n\n`,
    );
    process.stdout.write(`${table(rows)}\n`);
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
