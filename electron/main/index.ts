/**
 * The Electron main process: one hardened window, the engine in-process, IPC routing, orderly
 * shutdown. Trading logic lives in engine/; this file stays thin.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, protocol, session, shell } from 'electron';
import { createEngine } from '../../engine/host/app.ts';
import { contentSecurityPolicy } from '../../engine/host/csp.ts';
import { createLogger } from '../../engine/host/log.ts';
import { registerIpc } from './ipc.ts';
import { allowNavigation, APP_ORIGIN, handleWindowOpen, isAppUrl } from './security/navigation.ts';
import { allowPermission } from './security/permissions.ts';

const log = createLogger();
const rendererDir = join(import.meta.dirname, '..', 'renderer');
const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  // A second copy would trade the same account from a second engine: hand focus to the first and leave.
  app.quit();
} else {
  let win: BrowserWindow | undefined;
  let stopped = false;
  const engine = createEngine({ venue: { kind: 'sim' }, dataDir: app.getPath('userData'), seed: 1 }, log);

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e, url) => {
      if (!allowNavigation(url)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!allowNavigation(url)) e.preventDefault();
    });
    contents.on('will-attach-webview', (e) => {
      e.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) =>
      handleWindowOpen(url, (u) => {
        void shell.openExternal(u);
      }),
    );
  });

  void app.whenReady().then(async () => {
    Menu.setApplicationMenu(null);
    session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) => {
      callback(allowPermission(permission, details.requestingUrl, isAppUrl));
    });
    session.defaultSession.setPermissionCheckHandler((_wc, permission, origin) =>
      allowPermission(permission, origin, isAppUrl),
    );
    const csp = contentSecurityPolicy();
    protocol.handle('app', async (request) => {
      const path = normalize(decodeURIComponent(new URL(request.url).pathname));
      const file = join(rendererDir, path === sep || path === '/' ? 'index.html' : path);
      if (!file.startsWith(rendererDir + sep)) return new Response('not found', { status: 404 });
      try {
        const body = await readFile(file);
        return new Response(body, {
          headers: {
            'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
            'Content-Security-Policy': csp,
          },
        });
      } catch {
        return new Response('not found', { status: 404 });
      }
    });
    // Nothing remote is ever fetched by the renderer; refuse it at the network layer too.
    session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
      const url = details.url;
      callback({ cancel: !(url.startsWith(`${APP_ORIGIN}/`) || url.startsWith('devtools://')) });
    });

    await engine.start();
    registerIpc(
      ipcMain,
      engine,
      () => win,
      (msg, fields) => log.warn(fields, msg),
    );

    win = new BrowserWindow({
      width: 1600,
      height: 1000,
      backgroundColor: '#0f1216',
      title: 'MM Workstation — SIM',
      show: false,
      webPreferences: {
        preload: join(import.meta.dirname, '..', 'preload', 'index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
      },
    });
    win.once('ready-to-show', () => win?.show());
    win.webContents.on('did-finish-load', () => {
      win?.webContents.send('engine:state', engine.state());
    });
    win.on('closed', () => {
      win = undefined;
    });
    await win.loadURL(`${APP_ORIGIN}/index.html`);
  });

  app.on('window-all-closed', () => {
    app.quit();
  });

  // Orderly shutdown: the engine cancels and flushes before the process exits.
  app.on('before-quit', (e) => {
    if (stopped) return;
    e.preventDefault();
    void engine.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
}
