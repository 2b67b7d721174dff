import { expect, test } from './fixtures.ts';
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
  await page.screenshot({ path: test.info().outputPath('header.png') });
});

test('a page opened without the token is refused and shows the link as down', async ({ page, host }) => {
  const ws = new WorkstationPage(page);
  await page.goto(host.url.replace(/token=[^&]+/, 'token=wrong'));
  await expect(ws.link).toHaveText('disconnected');
  await expect(page.locator('.app')).toHaveAttribute('data-state', 'loading');
  expect(host.output()).toContain('websocket refused');
});
