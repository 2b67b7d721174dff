import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EngineError } from '../core/errors.ts';
import type { KillSwitchState } from '../risk/trading-state.ts';

/**
 * The kill switch's state in a small JSON file, written atomically (temp file, then rename), so an
 * engaged kill switch survives a crash or restart. A file that cannot be read as a kill-switch state
 * counts as ENGAGED: when in doubt, stay halted.
 */
export class KillSwitchFile {
  private readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  load(): KillSwitchState | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return { engaged: true, at: null, by: `unreadable kill-switch file: ${(err as Error).message}` };
    }
    try {
      const v = JSON.parse(text) as Partial<KillSwitchState>;
      if (typeof v.engaged !== 'boolean') throw new Error('missing "engaged"');
      return {
        engaged: v.engaged,
        at: typeof v.at === 'number' ? v.at : null,
        by: typeof v.by === 'string' ? v.by : null,
      };
    } catch (err) {
      return { engaged: true, at: null, by: `corrupt kill-switch file: ${(err as Error).message}` };
    }
  }

  save(state: KillSwitchState): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.tmp`;
      writeFileSync(tmp, JSON.stringify(state));
      renameSync(tmp, this.path);
    } catch (err) {
      throw new EngineError('unavailable', `could not record the kill switch: ${(err as Error).message}`);
    }
  }
}
