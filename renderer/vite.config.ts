import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import type { UserConfig } from 'vite';

/**
 * Renderer build, shared by browser mode (`npm run build:renderer`) and electron-vite. Paths are
 * passed in because a config file bundled by electron-vite no longer knows its own folder.
 */
export function rendererConfig(projectRoot: string): UserConfig {
  const root = resolve(projectRoot, 'renderer');
  return {
    root,
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(projectRoot, 'out', 'renderer'),
      emptyOutDir: true,
      target: 'es2023',
      rolldownOptions: { input: resolve(root, 'index.html') },
    },
  };
}

export default rendererConfig(resolve(import.meta.dirname, '..'));
