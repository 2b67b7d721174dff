import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isEngineRunning, lockFile, takeLock } from '../../../engine/host/run-lock.ts';

describe('run lock', () => {
  it('says an engine runs while the lock is held, and not after release or for a dead pid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmws-lock-'));
    expect(isEngineRunning(dir)).toBe(false);
    const release = takeLock(dir);
    expect(isEngineRunning(dir)).toBe(true);
    release();
    expect(isEngineRunning(dir)).toBe(false);
    writeFileSync(lockFile(dir), '999999999');
    expect(isEngineRunning(dir)).toBe(false);
    writeFileSync(lockFile(dir), 'garbage');
    expect(isEngineRunning(dir)).toBe(false);
  });
});
