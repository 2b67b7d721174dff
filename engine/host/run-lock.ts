import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A marker that an engine is running on a data folder, so maintenance verbs (restore) can refuse to
 * touch a database that a live session is trading on. A lock left by a crashed process (its pid is
 * gone) does not count.
 */
export function lockFile(dataDir: string): string {
  return join(dataDir, 'engine.lock');
}

export function takeLock(dataDir: string): () => void {
  writeFileSync(lockFile(dataDir), String(process.pid));
  return () => {
    rmSync(lockFile(dataDir), { force: true });
  };
}

export function isEngineRunning(dataDir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile(dataDir), 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
