import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';

/** A refused WebSocket upgrade: the status line the socket is ended with. */
export interface UpgradeRefusal {
  status: number;
  reason: string;
}

export interface LoopbackServerOptions {
  /** Serves the plain HTTP requests (the REST side). */
  listener: RequestListener;
  /**
   * Routes a WebSocket upgrade by its URL (parsed against ws://127.0.0.1): what to do with the opened
   * socket, or the refusal to answer instead.
   */
  route(url: URL): ((ws: WebSocket) => void) | UpgradeRefusal;
}

/**
 * One HTTP server on 127.0.0.1 carrying a simulator's REST side and its WebSockets. Guarantees:
 * keep-alive sockets idle 5 s are closed; every plain HTTP socket is tracked until it closes, and a
 * socket that upgrades stops being one; a refused upgrade is answered with its status line and
 * `Connection: close` and never opened; WebSocket messages are capped at 1 MiB (larger ones close
 * the socket); `close` runs once.
 */
export class LoopbackServer {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  private closing: Promise<void> | undefined;

  constructor(options: LoopbackServerOptions) {
    this.server = createServer(options.listener);
    this.server.keepAliveTimeout = 5000;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
    this.server.on('upgrade', (req, socket: Socket, head) => {
      this.sockets.delete(socket);
      const route = options.route(new URL(req.url ?? '/', 'ws://127.0.0.1'));
      if (typeof route !== 'function') {
        socket.end(`HTTP/1.1 ${route.status} ${route.reason}\r\nConnection: close\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, route);
    });
  }

  /** Listens on 127.0.0.1 (`port` 0 picks a free one); resolves with the port, rejects if it cannot. */
  async listen(port: number): Promise<number> {
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** Destroys every plain HTTP socket now; returns how many there were. */
  dropHttp(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    return n;
  }

  /**
   * Shuts down once: the first call runs `stopFirst` (the simulator's own parts: timers, markets,
   * streams), then stops accepting and destroys every socket, and resolves when the server has
   * closed; later calls return that same promise. If `stopFirst` throws, the promise rejects with it.
   */
  close(stopFirst: () => void): Promise<void> {
    return (this.closing ??= new Promise<void>((resolve) => {
      stopFirst();
      this.wss.close();
      for (const s of this.sockets) s.destroy();
      this.server.closeAllConnections();
      this.server.close(() => {
        resolve();
      });
    }));
  }
}
