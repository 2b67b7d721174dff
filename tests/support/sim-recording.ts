import { SimClock } from '../../engine/core/clock.ts';
import { MarketRecorder } from '../../engine/store/recorder.ts';
import { RecordingStore, recordingsFile } from '../../engine/store/recordings.ts';
import { createDefaultSim, defaultSimInstruments } from '../../engine/venues/sim/index.ts';

/**
 * Records `seconds` of the embedded simulator's BTCUSDT feed into recordings.sqlite of `dir`, with
 * its default network (feed latency with jitter), so the recording's venue and local times differ as
 * a real venue's do.
 */
export async function recordSim(dir: string, name: string, seconds: number, seed: number): Promise<void> {
  const store = new RecordingStore(recordingsFile(dir));
  const clock = new SimClock(Date.UTC(2026, 0, 5, 9));
  const sim = createDefaultSim(clock, seed);
  await sim.connect();
  const recorder = new MarketRecorder({
    store,
    market: sim,
    clock,
    venue: 'sim',
    name,
    instruments: [defaultSimInstruments()[0]!.spec],
  });
  recorder.start();
  const end = clock.now() + seconds * 1000;
  while (clock.now() < end) clock.advance(50);
  recorder.stop();
  await sim.disconnect();
  store.close();
}
