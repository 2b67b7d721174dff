import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * Resolves a URL path to a file inside `root`, or undefined. Paths that escape the root (`..`, encoded
 * or not) resolve to nothing; unknown paths fall back to index.html so client-side routes load.
 */
export async function loadStatic(root: string, urlPath: string): Promise<StaticFile | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const rel = normalize(decoded === '/' ? '/index.html' : decoded);
  const file = join(root, rel);
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  const found = await readIfFile(file);
  if (found) return { body: found, type: TYPES[extname(file)] ?? 'application/octet-stream' };
  if (extname(rel) !== '') return undefined;
  const index = await readIfFile(join(root, 'index.html'));
  return index ? { body: index, type: TYPES['.html']! } : undefined;
}

async function readIfFile(file: string): Promise<Buffer | undefined> {
  try {
    const s = await stat(file);
    return s.isFile() ? await readFile(file) : undefined;
  } catch {
    return undefined;
  }
}
