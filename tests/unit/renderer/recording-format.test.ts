import { afterEach, describe, expect, it } from 'vitest';
import type { RecordingSummary } from '../../../engine/api/contract.ts';
import {
  defaultRecordingName,
  formatBytes,
  formatCount,
  formatSpan,
  recordingNameHint,
  unusedRecordingName,
} from '../../../renderer/src/recording-format.ts';
import { useEngineStore } from '../../../renderer/src/store/engine-store.ts';
import {
  closeRecordings,
  loadRecordings,
  openRecordings,
  useRecordingsStore,
} from '../../../renderer/src/store/recordings-store.ts';

const T = Date.UTC(2026, 0, 5, 9, 7, 42);

describe('the recording form', () => {
  it('proposes SYMBOL-YYYYMMDD-HHMM in UTC, naming several symbols while they fit', () => {
    expect(defaultRecordingName(['BTCUSDT'], T)).toBe('BTCUSDT-20260105-0907');
    expect(defaultRecordingName(['BTCUSDT', 'ETHUSDT'], T)).toBe('BTCUSDT-ETHUSDT-20260105-0907');
    const many = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', 'DOGEUSDT', 'ADAUSDT'];
    expect(defaultRecordingName(many, T)).toBe('BTCUSDT-and-5-more-20260105-0907');
    expect(defaultRecordingName([], T)).toBe('recording-20260105-0907');
    // Whatever it proposes, the engine takes: the name check passes.
    for (const symbols of [['BTCUSDT'], many, ['A'.repeat(32), 'B'.repeat(32)]])
      expect(recordingNameHint(defaultRecordingName(symbols, T))).toBeNull();
  });

  it('proposes a name no listed recording has', () => {
    expect(unusedRecordingName('BTCUSDT-20260105-0907', [])).toBe('BTCUSDT-20260105-0907');
    expect(unusedRecordingName('BTCUSDT-20260105-0907', ['BTCUSDT-20260105-0907'])).toBe(
      'BTCUSDT-20260105-0907-2',
    );
    expect(unusedRecordingName('a', ['a', 'a-2', 'b'])).toBe('a-3');
  });

  it('hints at a name the engine would refuse while it is typed', () => {
    expect(recordingNameHint('')).toMatch(/name the recording/);
    expect(recordingNameHint('has space')).toMatch(/letters, digits/);
    expect(recordingNameHint('x'.repeat(61))).toMatch(/at most 60/);
    expect(recordingNameHint('btc_2026.01-a')).toBeNull();
  });
});

describe('recording figures', () => {
  it('prints sizes in binary units, spans in the largest two units, counts grouped', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(49_357)).toBe('48.2 KiB');
    expect(formatBytes(1_363_149)).toBe('1.3 MiB');
    expect(formatBytes(2.05 * 1024 ** 3)).toBe('2.05 GiB');
    expect(formatSpan(0)).toBe('0 s');
    expect(formatSpan(45_999)).toBe('45 s');
    expect(formatSpan(12 * 60_000 + 5_000)).toBe('12 min 05 s');
    expect(formatSpan(2 * 3_600_000 + 3 * 60_000)).toBe('2 h 03 min');
    expect(formatSpan(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 04 h');
    expect(formatCount(7)).toBe('7');
    expect(formatCount(1_234_567)).toBe('1,234,567');
  });
});

function summary(name: string): RecordingSummary {
  return {
    name,
    venue: 'sim',
    symbols: ['BTCUSDT'],
    createdAt: T,
    status: 'complete',
    spanMs: 1_000,
    firstLocal: T,
    lastLocal: T + 1_000,
    events: 10,
    bookEvents: 9,
    tradeEvents: 1,
    bytes: 400,
  };
}

describe('the recordings store', () => {
  const invoke = useEngineStore.getState().invoke;
  afterEach(() => {
    useEngineStore.setState({ invoke });
    useRecordingsStore.setState({ open: false, recordings: null, listError: null, loading: false });
  });

  it('keeps the newest answer of recordings.list, and the engine error when it refuses', async () => {
    const answers: ((v: unknown) => void)[] = [];
    const fake: typeof invoke = (name) => {
      expect(name).toBe('recordings.list');
      return new Promise((resolve) => answers.push(resolve as (v: unknown) => void));
    };
    useEngineStore.setState({ invoke: fake });
    openRecordings();
    expect(useRecordingsStore.getState().open).toBe(true);
    const older = loadRecordings();
    const newer = loadRecordings();
    expect(useRecordingsStore.getState().loading).toBe(true);
    answers[1]!({ ok: true, value: { recordings: [summary('b'), summary('a')] } });
    await newer;
    // The older answer arrives late, from before a delete: it must not bring the row back.
    answers[0]!({ ok: true, value: { recordings: [summary('c'), summary('b'), summary('a')] } });
    await older;
    expect(useRecordingsStore.getState().recordings?.map((r) => r.name)).toEqual(['b', 'a']);
    expect(useRecordingsStore.getState().loading).toBe(false);

    const refused = loadRecordings();
    answers[2]!({
      ok: false,
      error: { code: 'unavailable', message: 'the recordings database cannot be opened' },
    });
    await refused;
    expect(useRecordingsStore.getState().listError).toMatch(/cannot be opened/);
    // What was listed stays on screen beside the error.
    expect(useRecordingsStore.getState().recordings).toHaveLength(2);
    closeRecordings();
    expect(useRecordingsStore.getState().open).toBe(false);
  });
});
