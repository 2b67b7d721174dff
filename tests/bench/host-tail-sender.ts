/**
 * The sending side of host-tail.ts, run as a child process (on the CPU the venue simulator gets):
 * a plain WebSocket server on loopback that sends every client one fixed frame, the size of a Bybit
 * orderbook.50 delta, every `interval` ms. Prints `{"port":N}` once listening; stops on SIGTERM.
 */
import { WebSocketServer } from 'ws';

const intervalMs = Number(process.argv[2] ?? 10);
const levels = Array.from({ length: 20 }, (_, i) => [(65_000 - i / 10).toFixed(1), '0.123']);
const frame = JSON.stringify({
  topic: 'orderbook.50.BTCUSDT',
  type: 'delta',
  ts: 0,
  data: { s: 'BTCUSDT', b: levels, a: levels, u: 1, seq: 1 },
});
const server = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
server.on('connection', (ws) => {
  const timer = setInterval(() => ws.send(frame), intervalMs);
  ws.on('close', () => clearInterval(timer));
  ws.on('error', () => undefined);
});
process.on('SIGTERM', () => process.exit(0));
