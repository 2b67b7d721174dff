/**
 * Where a backtest finds its recording: the trader's recordings (`recordings.sqlite` in the data
 * directory) first, then the samples shipped with the app (read only). The CLI, the review's jobs and
 * the review's commands all look in the same places, in the same order, so a name means the same
 * recording everywhere; a recording of the trader's shadows a sample of the same name.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../core/errors.ts';
import {
  RecordingStore,
  checkRecordingName,
  recordingsFile,
  type RecordingInfo,
  type StoredChunk,
} from '../store/recordings.ts';
import type { BacktestSource } from './runner.ts';

const SAMPLES = join('resources', 'recordings', 'samples.sqlite');

/**
 * The app's `resources/recordings/samples.sqlite`, looked for from this module's folder upwards: in
 * the source tree it is two folders up, but a bundle (electron-vite's main process) puts this module
 * in a chunk of its own folder. Where none is found, the source tree's place (then simply absent).
 */
function samplesFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here, i = 0; i < 5; i++) {
    const file = join(dir, SAMPLES);
    if (existsSync(file)) return file;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(resolve(here, '..', '..'), SAMPLES);
}

/** Recordings shipped with the app, so a newcomer can run a backtest at once. */
export const SAMPLES_FILE = samplesFile();

/** A recordings file to search, and whether it is the shipped samples (never written). */
export interface RecordingFile {
  readonly file: string;
  readonly sample: boolean;
}

/** The files a recording is looked up in, in order: the data directory's, then the samples. */
export function recordingFiles(dataDir: string): readonly RecordingFile[] {
  return [
    { file: recordingsFile(dataDir), sample: false },
    { file: SAMPLES_FILE, sample: true },
  ];
}

/** A recording found by name: the file that holds it and its metadata (no handle is kept open). */
export interface FoundRecording extends RecordingFile {
  readonly info: RecordingInfo;
}

/** The recording of that name, from the trader's recordings, else from the samples; undefined if none. */
export function findRecording(dataDir: string, name: string): FoundRecording | undefined {
  checkRecordingName(name);
  for (const where of recordingFiles(dataDir)) {
    if (!existsSync(where.file)) continue;
    const store = new RecordingStore(where.file, { readonly: where.sample });
    try {
      const info = store.get(name);
      if (info) return { ...where, info };
    } finally {
      store.close();
    }
  }
  return undefined;
}

/** A recording by name from the trader's recordings, else from the samples. */
export function openRecording(
  dataDir: string,
  name: string,
): { store: RecordingStore; info: RecordingInfo; source: BacktestSource } {
  checkRecordingName(name);
  for (const { file, sample } of recordingFiles(dataDir)) {
    if (!existsSync(file)) continue;
    const store = new RecordingStore(file, { readonly: sample });
    const info = store.get(name);
    if (!info) {
      store.close();
      continue;
    }
    return { store, info, source: recordingSource(store, info) };
  }
  throw new EngineError('not_found', `no recording named ${name}: \`npm run backtest -- list\` shows them`);
}

/**
 * A run's source over an open store. `chunks` limits it to the recording's first chunks (those it had
 * when a job was started: a recording still being written grows meanwhile, and `events` must match);
 * every chunk by default.
 */
export function recordingSource(
  store: RecordingStore,
  info: RecordingInfo,
  limit?: { chunks: number; events: number },
): BacktestSource {
  return {
    name: info.name,
    instruments: info.instruments,
    events: limit?.events ?? info.events,
    chunks: () =>
      limit === undefined ? store.chunksOf(info.name) : firstChunks(store.chunksOf(info.name), limit.chunks),
  };
}

/** Every recording a backtest can replay: the trader's, then the samples, each marked. */
export function listRecordings(dataDir: string): (RecordingInfo & { sample: boolean })[] {
  const out: (RecordingInfo & { sample: boolean })[] = [];
  for (const { file, sample } of recordingFiles(dataDir)) {
    if (!existsSync(file)) continue;
    const store = new RecordingStore(file, { readonly: sample });
    try {
      for (const r of store.list()) out.push({ ...r, sample });
    } finally {
      store.close();
    }
  }
  return out;
}

/** The first `count` chunks; ending it early (runBacktest always does) ends the cursor under it too. */
export function* firstChunks(chunks: Iterable<StoredChunk>, count: number): Generator<StoredChunk> {
  if (count <= 0) return;
  let seen = 0;
  for (const chunk of chunks) {
    yield chunk;
    if (++seen >= count) return;
  }
}
