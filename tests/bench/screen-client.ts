/**
 * The screen's socket for the latency benches (see screen.ts), run as a child process: connects to
 * the host's /api as the page would (the token from the environment, the page's origin), reads every
 * frame, prints `{"open":true}` once connected and `{"frames":N,"bytes":B}` when told to stop.
 */
import WebSocket from 'ws';

const port = process.argv[2];
const token = process.env['BENCH_SCREEN_TOKEN'] ?? '';
const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`, {
  origin: `http://127.0.0.1:${port}`,
  maxPayload: 64 * 1024 * 1024,
});
let frames = 0;
let bytes = 0;
ws.on('open', () => {
  process.stdout.write('{"open":true}\n');
});
ws.on('message', (data: Buffer) => {
  frames++;
  bytes += data.length;
});
ws.on('error', (err) => {
  process.stderr.write(`screen client: ${err.message}\n`);
  process.exit(1);
});
process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ frames, bytes })}\n`);
  ws.terminate();
  process.exit(0);
});
