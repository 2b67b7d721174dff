import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { rendererConfig } from './renderer/vite.config.ts';

/**
 * Worker threads in the bundled main process. The engine starts its workers as
 * `new URL('./x-worker.ts', import.meta.url)` (engine/backtest: sweep-worker.ts on piscina,
 * backtest-job-worker.ts on node:worker_threads), which Node runs directly in browser mode and the
 * tests. Vite leaves such a URL alone in a Node build, so the bundle would look for a .ts file beside
 * out/main/index.js: this emits each worker as a chunk of its own and points the URL at it.
 */
function workerUrls(): Plugin {
  const url = /new URL\(\s*(['"])(\.\.?\/[^'"]+-worker\.ts)\1\s*,\s*import\.meta\.url\s*\)/g;
  const placeholder = /__MMWS_WORKER_([\w$]+)__/g;
  return {
    name: 'mmws:worker-urls',
    apply: 'build',
    async transform(code, id) {
      if (!code.includes('-worker.ts')) return null;
      let out = '';
      let last = 0;
      for (const m of code.matchAll(url)) {
        const resolved = await this.resolve(m[2]!, id);
        if (!resolved) this.error(`cannot resolve the worker ${m[2]!} of ${id}`);
        const ref = this.emitFile({ type: 'chunk', id: resolved.id, importer: id });
        out += `${code.slice(last, m.index)}new URL("__MMWS_WORKER_${ref}__", import.meta.url)`;
        last = m.index + m[0].length;
      }
      return last === 0 ? null : { code: out + code.slice(last), map: null };
    },
    renderChunk(code, chunk) {
      if (!code.includes('__MMWS_WORKER_')) return null;
      const from = chunk.fileName.split('/').slice(0, -1);
      return {
        code: code.replace(placeholder, (_, ref: string) => {
          const to = this.getFileName(ref).split('/');
          let i = 0;
          while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++;
          const rel = [...from.slice(i).map(() => '..'), ...to.slice(i)].join('/');
          return rel.startsWith('.') ? rel : `./${rel}`;
        }),
        map: null,
      };
    },
  };
}

/**
 * Files the engine reads beside its code at run time (`new URL('./mexc-push.proto', import.meta.url)`
 * in engine/venues/mexc/proto/codec.ts): copied into the bundle as assets, the URL written with the
 * same placeholder as a worker's, which workerUrls' renderChunk turns into the path to the copy.
 */
function dataFileUrls(): Plugin {
  const url = /new URL\(\s*(['"])(\.\.?\/[^'"]+\.proto)\1\s*,\s*import\.meta\.url\s*\)/g;
  return {
    name: 'mmws:data-file-urls',
    apply: 'build',
    async transform(code, id) {
      if (!code.includes('.proto')) return null;
      let out = '';
      let last = 0;
      for (const m of code.matchAll(url)) {
        const file = resolve(id, '..', m[2]!);
        const ref = this.emitFile({ type: 'asset', name: basename(file), source: await readFile(file) });
        out += `${code.slice(last, m.index)}new URL("__MMWS_WORKER_${ref}__", import.meta.url)`;
        last = m.index + m[0].length;
      }
      return last === 0 ? null : { code: out + code.slice(last), map: null };
    },
  };
}

export default defineConfig({
  main: {
    plugins: [workerUrls(), dataFileUrls()],
    build: {
      outDir: 'out/main',
      rolldownOptions: { input: { index: resolve(import.meta.dirname, 'electron/main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/preload/index.ts') },
        // A sandboxed preload cannot be an ES module.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig(import.meta.dirname),
});
