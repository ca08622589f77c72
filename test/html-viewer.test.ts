/**
 * The HTML trace viewer in a real browser (Debian's Chromium, driven by playwright-core): open a
 * generated page, step forward and back, and check that the shown step, the highlighted states of
 * the statecharts and the marked changes follow. CI installs Chromium (`.ci/run`); on a developer
 * machine without it the test is skipped, never in CI.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const available = fs.existsSync(CHROMIUM);
const MAIN = path.resolve('dist/cli/main.js');

describe.skipIf(!available && process.env['CI'] !== 'true')('the HTML trace viewer in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterspec-html-'));
    const trace = path.join(dir, 'trace.json');
    expect(spawnSync(process.execPath, [MAIN, 'check', 'vector-clock', '--bug', 'gossip-two-reads', '--trace-out', trace]).status).toBe(1);
    const html = spawnSync(process.execPath, [MAIN, 'replay', trace, '--format', 'html'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(html.status).toBe(0);
    // Self-contained: nothing is loaded from the network.
    expect(html.stdout).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    fs.writeFileSync(path.join(dir, 'trace.html'), html.stdout);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.route(/^https?:/, (route) => {
      errors.push(`network request: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(`file://${path.join(dir, 'trace.html')}`);
    expect(errors).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  const label = () => page.locator('#step-label').textContent();
  const active = (key: string) => page.locator(`figure.chart[data-key="${key}"]`).getAttribute('data-active');
  const changed = () => page.evaluate(`[...document.querySelectorAll('table.roles tr.changed')].map((r) => r.dataset.key)`);

  it('starts at the initial state with every role in its initial configuration', async () => {
    expect(await label()).toBe('step 0 of 7: (initial state)');
    expect(await active('config')).toBe('commands | commands.primary | replication | replication.caughtUp');
    expect(await active('client')).toBe('idle');
    expect(await active('shard0')).toBe('serving | serving.primary | registry | registry.current');
    expect(await changed()).toEqual([]);
  });

  it('steps forward: the label, the highlighted states and the marked changes follow', async () => {
    await page.click('#next');
    expect(await label()).toBe('step 1 of 7: Submit(removeShard shard1)');
    expect(await active('client')).toBe('waiting');
    expect(await changed()).toEqual(['client', 'network']);
    for (let i = 0; i < 3; i++) await page.click('#next');
    expect(await label()).toBe('step 4 of 7: BalancerRound');
    expect(await active('config')).toBe('commands | commands.primary | replication | replication.behind');
    expect(await changed()).toEqual(['config']);
    expect(await page.locator('#sequence g.row.current').getAttribute('data-step')).toBe('4');
  });

  it('steps back, and jumps with the slider', async () => {
    await page.click('#prev');
    expect(await label()).toBe('step 3 of 7: Deliver(_configsvrRemoveShard#op1 router→any(config))');
    expect(await active('config')).toBe('commands | commands.primary | replication | replication.caughtUp');
    await page.evaluate(`(() => { const input = document.getElementById('step'); input.value = '7'; input.dispatchEvent(new Event('input')); })()`);
    expect(await label()).toBe('step 7 of 7: Deliver(ShardNotFound#op1 config→router)');
    expect(await active('router')).toBe('idle');
    const shot = path.join(dir, 'viewer.png');
    await page.screenshot({ path: shot, fullPage: false });
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
    if (process.env['CLUSTERSPEC_SCREENSHOT'] !== undefined) fs.copyFileSync(shot, process.env['CLUSTERSPEC_SCREENSHOT']);
  });
});
