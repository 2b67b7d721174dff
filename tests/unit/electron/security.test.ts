import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectron } from '../../../electron/binary.ts';
import { isTrustedSender, parseInvoke } from '../../../electron/main/security/ipc-guard.ts';
import { allowNavigation, handleWindowOpen, isAppUrl } from '../../../electron/main/security/navigation.ts';
import { allowPermission } from '../../../electron/main/security/permissions.ts';

describe('navigation and window-open policy', () => {
  it('only app:// URLs of our own host count as the app', () => {
    expect(isAppUrl('app://workstation/index.html')).toBe(true);
    expect(isAppUrl('app://workstation.evil/index.html')).toBe(false);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('https://workstation/')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('refuses navigation anywhere else', () => {
    expect(allowNavigation('app://workstation/index.html#x')).toBe(true);
    for (const u of [
      'https://example.com',
      'http://127.0.0.1:1/',
      'javascript:alert(1)',
      'data:text/html,hi',
      'file:///',
    ]) {
      expect(allowNavigation(u)).toBe(false);
    }
  });

  it('never opens a window; only plain https links go to the OS browser', () => {
    const opened: string[] = [];
    const open = (u: string) => opened.push(u);
    for (const u of [
      'https://bybit.com/x',
      'http://example.com',
      'file:///etc/passwd',
      'javascript:1',
      'https://u:p@evil.com',
      'app://workstation/',
    ]) {
      expect(handleWindowOpen(u, open)).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://bybit.com/x']);
  });

  it('grants notifications to the app only and nothing else to anyone', () => {
    expect(allowPermission('notifications', 'app://workstation/', isAppUrl)).toBe(true);
    expect(allowPermission('notifications', 'https://evil.com/', isAppUrl)).toBe(false);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'midi', 'openExternal']) {
      expect(allowPermission(p, 'app://workstation/', isAppUrl)).toBe(false);
    }
  });
});

describe('IPC guard', () => {
  const good = { frameUrl: 'app://workstation/index.html', isMainFrame: true, isAppWindow: true };
  it('trusts only the top frame of our window on our origin', () => {
    expect(isTrustedSender(good)).toBe(true);
    expect(isTrustedSender({ ...good, isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ ...good, isAppWindow: false })).toBe(false);
    expect(isTrustedSender({ ...good, frameUrl: 'https://evil.com/' })).toBe(false);
    expect(isTrustedSender({ ...good, frameUrl: undefined })).toBe(false);
  });

  it('accepts only {command, input} messages', () => {
    expect(parseInvoke({ command: 'engine.ping', input: {} })).toEqual({ command: 'engine.ping', input: {} });
    for (const bad of [
      null,
      'engine.ping',
      [],
      {},
      { command: 1 },
      { command: '' },
      { command: 'x'.repeat(65) },
      { command: 'a', input: {}, x: 1 },
    ]) {
      expect(parseInvoke(bad)).toBeUndefined();
    }
  });
});

describe('Electron runtime detection', () => {
  it('reports a missing binary without trying to download it', () => {
    const root = mkdtempSync(join(tmpdir(), 'mmws-el-'));
    expect(findElectron(root)).toEqual({ ok: false, reason: 'the electron package is not installed' });
    mkdirSync(join(root, 'node_modules', 'electron'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'electron', 'package.json'), '{}');
    const missing = findElectron(root, { DISPLAY: ':0' });
    expect(missing.ok).toBe(false);
    mkdirSync(join(root, 'node_modules', 'electron', 'dist'));
    writeFileSync(join(root, 'node_modules', 'electron', 'dist', 'electron'), '');
    expect(findElectron(root, { DISPLAY: ':0' })).toEqual({
      ok: true,
      path: join(root, 'node_modules', 'electron', 'dist', 'electron'),
    });
    if (process.platform === 'linux') expect(findElectron(root, {}).ok).toBe(false);
  });
});
