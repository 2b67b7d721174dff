/**
 * Worker-thread body of `startSimWorker` (bybit-sim.ts): starts the Bybit simulator with the options
 * it was given, posts its URLs, and closes it when told `close`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BybitSimOptions } from '../../engine/simulators/bybit/sim.ts';
import { startBybitSim } from '../../engine/simulators/bybit/sim.ts';

const port = parentPort;
if (port === null) throw new Error('bybit-sim-worker.ts runs as a worker thread only');
const sim = await startBybitSim(workerData as BybitSimOptions);
port.on('message', (m: unknown) => {
  if (m !== 'close') return;
  void sim.close().then(() => {
    port.close();
  });
});
port.postMessage({ rest: sim.rest, ws: sim.ws });
