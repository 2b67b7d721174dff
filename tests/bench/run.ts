/**
 * The single entry for benchmarks: `npm run bench` runs every group, `npm run bench -- GROUP [GROUP…]`
 * the named ones. A group is every file `tests/bench/<group>[.<part>].bench.ts` (so `core.book.bench.ts`
 * and `core.sim.bench.ts` are both group `core`); each prints JSON lines `{"figure", "value", "unit", …}`
 * to stdout. Progress and errors go to stderr.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchGroup, Figure } from './figure.ts';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const groupOf = (file: string): string => file.slice(0, file.indexOf('.'));
const available = [...new Set(files.map(groupOf))];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((g) => !available.includes(g));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench group(s): ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(2);
}

const groups = wanted.length > 0 ? wanted : available;
for (const group of groups) {
  for (const file of files.filter((f) => groupOf(f) === group)) {
    process.stderr.write(`bench: running ${file}\n`);
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: BenchGroup };
    await mod.default((fig: Figure) => {
      process.stdout.write(`${JSON.stringify({ ...fig, group })}\n`);
    });
  }
}
