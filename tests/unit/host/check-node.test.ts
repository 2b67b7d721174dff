import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const script = join(root, 'scripts', 'check-node.cjs');
const { check } = createRequire(import.meta.url)(script) as {
  check: (found: string, range: string, name?: string) => string | null;
};
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  engines: { node: string };
};

describe('check-node guard', () => {
  it('passes every version at or above the range', () => {
    for (const found of ['22.12.0', '22.13.1', '24.0.0', 'v24.21.0']) {
      expect(check(found, '>=22.12.0')).toBeNull();
    }
  });

  it('fails older versions with one sentence naming the needed and the found version', () => {
    for (const found of ['20.20.2', '22.11.0', '18.0.0']) {
      const message = check(found, '>=22.12.0', 'mm-workstation');
      expect(message).toBe(
        `mm-workstation needs Node.js 22.12 or newer (Node 24 LTS recommended); this is Node ${found}. ` +
          'Install a newer Node and run the command again.',
      );
    }
  });

  it('reads the range package.json declares', () => {
    expect(() => check('20.20.2', manifest.engines.node)).not.toThrow();
    expect(check('20.20.2', manifest.engines.node, manifest.name)).toContain('needs Node.js 22.12 or newer');
  });

  it('refuses a range form it cannot read instead of guessing', () => {
    expect(() => check('24.0.0', '^22.12.0 || >=24')).toThrow(/>=X\.Y\.Z/);
  });

  it('exits 0 silently on the Node running the tests', () => {
    const result = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
  });
});
