import { join } from 'node:path';
import { expect, ROOT, test } from './fixtures.ts';
import { WorkstationPage } from './pages/workstation.ts';

test('the UI in Chromium shows the engine live state over the WebSocket transport', async ({
  page,
  host,
}) => {
  const ws = new WorkstationPage(page);
  await ws.open(host.url);
  await expect(ws.mode).toHaveText('SIM');
  await expect(ws.link).toHaveText('connected');
  const first = await ws.clock.textContent();
  expect(first).toMatch(/^\d\d:\d\d:\d\d,\d\d\d$/);
  // The engine clock in the header advances because the engine keeps publishing state.
  await expect(ws.clock).not.toHaveText(first ?? '');
  // The README's screenshot is this screen; refreshed on request so a normal run leaves the tree clean.
  const shot =
    process.env.UPDATE_README_SCREENSHOT === '1' ? join(ROOT, 'resources/readme/workstation.png') : undefined;
  await page.screenshot({ path: shot ?? test.info().outputPath('workstation.png') });
});

test('a page opened without the token is refused and shows the link as down', async ({ page, host }) => {
  const ws = new WorkstationPage(page);
  await page.goto(host.url.replace(/token=[^&]+/, 'token=wrong'));
  await expect(ws.link).toHaveText('disconnected');
  await expect(page.locator('.app')).toHaveAttribute('data-state', 'loading');
  expect(host.output()).toContain('websocket refused');
});
