import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from '@playwright/test';
import { findElectron } from '../../electron/binary.ts';
import { expect, ROOT, test } from './fixtures.ts';

const availability = findElectron(ROOT);
const skipReason = availability.ok ? '' : `Electron end-to-end test skipped: ${availability.reason}`;
if (skipReason) console.log(skipReason);

test('the Electron app opens a hardened window that streams engine state', async () => {
  test.skip(!availability.ok, skipReason);
  if (!availability.ok) return;
  const app = await electron.launch({
    executablePath: availability.path,
    args: [ROOT, `--user-data-dir=${mkdtempSync(join(tmpdir(), 'mmws-electron-'))}`],
  });
  try {
    const page = await app.firstWindow();
    await page.locator('.app[data-state="ready"]').waitFor();
    await expect(page.getByTestId('mode')).toHaveText('SIM');
    // The renderer has no Node and no raw ipcRenderer, only the named bridge.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(
      await page.evaluate(() => Object.keys((globalThis as { mmEngine?: object }).mmEngine ?? {}).sort()),
    ).toEqual(['invoke', 'onEvent', 'onState']);
    // Navigation away from the app is refused.
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    // A round trip through the bridge after the attempt proves the page (and its context) survived.
    const pong = await page.evaluate(() =>
      (
        globalThis as unknown as { mmEngine: { invoke(n: string, i: object): Promise<{ ok: boolean }> } }
      ).mmEngine.invoke('engine.ping', {}),
    );
    expect(pong.ok).toBe(true);
    expect(page.url()).toMatch(/^app:\/\/workstation\//);
  } finally {
    await app.close();
  }
});
