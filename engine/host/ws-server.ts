import { timingSafeEqual, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { Engine } from '../api/engine.ts';
import type { EngineEvent, EngineState, ErrorValue, Response } from '../api/contract.ts';
import { contentSecurityPolicy } from './csp.ts';
import type { Logger } from './log.ts';
import { loadStatic } from './static-files.ts';

/** Wire frames of the browser-mode transport. */
export const clientFrame = z
  .object({
    id: z.number().int().nonnegative(),
    command: z.string().max(64),
    input: z.unknown().optional(),
  })
  .strict();
export type ClientFrame = z.infer<typeof clientFrame>;
export type ServerFrame =
  | { type: 'response'; id: number; response: Response<unknown> }
  | { type: 'state'; state: EngineState }
  | { type: 'event'; event: EngineEvent }
  | { type: 'error'; error: ErrorValue };

export interface HostOptions {
  engine: Engine;
  log: Logger;
  /** Folder of the built renderer; when absent only the API is served. */
  rendererDir?: string;
  port?: number;
  /** Fixed token for tests; a random one per run otherwise. */
  token?: string;
}

export interface Host {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_FRAME_BYTES = 64 * 1024;
const MAX_BAD_FRAMES = 20;

/**
 * Browser mode: one HTTP server on 127.0.0.1 serves the built renderer and the engine API over a
 * WebSocket at /api. The socket requires the per-run token and the page's own origin; anything else
 * is refused and logged, and never reaches the engine.
 */
export async function startHost(options: HostOptions): Promise<Host> {
  const { engine, log } = options;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const expected = Buffer.from(token);
  let origin = '';

  const server: Server = createServer((req, res) => {
    void (async () => {
      const security = {
        'Content-Security-Policy': contentSecurityPolicy({ connect: [origin.replace(/^http/, 'ws')] }),
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cross-Origin-Opener-Policy': 'same-origin',
        // With the opener policy, the page is cross-origin isolated: nothing from another origin may
        // be embedded (it loads nothing from one), and its clock reads to 5 µs instead of 100 µs.
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cache-Control': 'no-store',
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, security).end();
        return;
      }
      const file = options.rendererDir ? await loadStatic(options.rendererDir, req.url ?? '/') : undefined;
      if (!file) {
        res.writeHead(404, { ...security, 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      res
        .writeHead(200, { ...security, 'Content-Type': file.type })
        .end(req.method === 'HEAD' ? undefined : file.body);
    })();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const refusal = checkUpgrade(req, expected, origin);
    if (refusal) {
      log.warn(
        { reason: refusal.reason, remote: req.socket.remoteAddress, origin: req.headers.origin },
        'websocket refused',
      );
      socket.end(`HTTP/1.1 ${refusal.status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      wss.emit('connection', ws, req);
    });
  });

  wss.on('connection', (ws: WebSocket) => {
    let badFrames = 0;
    const send = (frame: ServerFrame): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const offState = engine.onState((state) => {
      send({ type: 'state', state });
    });
    const offEvent = engine.onEvent((event) => {
      send({ type: 'event', event });
    });
    send({ type: 'state', state: engine.state() });

    ws.on('message', (data, isBinary) => {
      const frame = parseFrame(data, isBinary);
      if (!frame.ok) {
        badFrames++;
        log.warn({ reason: frame.error.message, count: badFrames }, 'malformed frame refused');
        send({ type: 'error', error: frame.error });
        if (badFrames >= MAX_BAD_FRAMES) ws.close(1008, 'too many malformed frames');
        return;
      }
      void engine.invoke(frame.value.command, frame.value.input).then((response) => {
        send({ type: 'response', id: frame.value.id, response });
      });
    });
    ws.on('close', () => {
      offState();
      offEvent();
    });
    ws.on('error', (err) => {
      log.warn({ message: err.message }, 'websocket error');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function checkUpgrade(
  req: IncomingMessage,
  expected: Buffer,
  origin: string,
): { status: string; reason: string } | undefined {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/api') return { status: '404 Not Found', reason: 'unknown path' };
  const given = Buffer.from(url.searchParams.get('token') ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { status: '401 Unauthorized', reason: 'wrong or missing token' };
  }
  // Browsers always send Origin on a WebSocket handshake; a page from anywhere else must not drive
  // the engine even if it learned the token.
  const allowed = [origin, origin.replace('127.0.0.1', 'localhost')];
  if (!req.headers.origin || !allowed.includes(req.headers.origin)) {
    return { status: '403 Forbidden', reason: 'wrong origin' };
  }
  return undefined;
}

function parseFrame(
  data: unknown,
  isBinary: boolean,
): { ok: true; value: ClientFrame } | { ok: false; error: ErrorValue } {
  if (isBinary)
    return { ok: false, error: { code: 'malformed_frame', message: 'binary frames are not accepted' } };
  let json: unknown;
  try {
    json = JSON.parse(String(data));
  } catch {
    return { ok: false, error: { code: 'malformed_frame', message: 'frame is not valid JSON' } };
  }
  const parsed = clientFrame.safeParse(json);
  if (!parsed.success) {
    return { ok: false, error: { code: 'malformed_frame', message: 'frame must be {id, command, input}' } };
  }
  return { ok: true, value: parsed.data };
}
