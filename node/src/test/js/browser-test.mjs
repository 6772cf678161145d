// Browser end-to-end test of a running node, driven by BrowserEndToEndIT:
//   node browser-test.mjs <node URL> <screenshot dir>
// Drives Debian's Chromium (headless, fresh profile) with playwright-core through the dashboard
// and the browser client's test page, then prints one line "RESULT {json}" of what the pages
// showed; the Java test asserts on those values. Any step that does not happen within its
// timeout throws, and the script exits non-zero with the step's name.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error('usage: node browser-test.mjs <node URL> <screenshot dir>');
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// TOOLCHAIN.md: without these, Chromium's background requests fail against the closed network.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
const STEP_TIMEOUT_MS = 30_000;

// The node is shared with other test classes: every name is this run's own.
const run = Date.now().toString(36);
const n = {
  listed: `bt_listed_${run}`, upload: `bt_up_${run}`, inc: `bt_inc_${run}`, dbl: `bt_dbl_${run}`,
  dag: `bt_dag_${run}`, wait: `bt_wait_${run}`, key: `bt/key ${run}`,
};

async function api(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

let current = 'start';
async function step(name, fn) {
  current = name;
  const t0 = Date.now();
  const value = await fn();
  console.log(`step ok (${Date.now() - t0} ms): ${name}`);
  return value;
}

const result = {};
const pageErrors = [];
const consoleErrors = [];
mkdirSync(shots, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'cloudburst-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1440, height: 1000 },
});
context.setDefaultTimeout(STEP_TIMEOUT_MS);
const watch = page => {
  page.on('pageerror', e => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`); });
  return page;
};

try {
  const page = watch(context.pages()[0] ?? await context.newPage());

  await step('a function registered over HTTP is listed on the dashboard', async () => {
    await api('POST', '/v1/functions', {
      name: n.listed, language: 'python', source: `def ${n.listed}(cloudburst, x):\n    return x * 2\n`,
    });
    await page.goto(base + '/');
    const row = page.locator(`#functions tr[data-name="${n.listed}"]`);
    await row.waitFor();
    result.listedLanguage = (await row.locator('td').nth(1).textContent()).trim();
    result.listedVersion = (await row.locator('td').nth(2).textContent()).trim();
  });

  await step('the dashboard shows executors and connects its live view', async () => {
    await page.locator('#executors tr[data-executor]').first().waitFor();
    result.executors = await page.locator('#executors tr[data-executor]').count();
    result.cacheLine = (await page.locator('#caches .chip').first().textContent()).trim();
    await page.locator('#bus-state.up').waitFor();
  });

  await step('a function uploaded and called through the form shows its result', async () => {
    await page.fill('#fn-name', n.upload);
    await page.selectOption('#fn-language', 'javascript');
    await page.fill('#fn-source', `function ${n.upload}(cloudburst, x) {\n  console.log("adding one to", x);\n  return x + 1;\n}\n`);
    await page.click('#fn-register');
    await page.locator('#fn-register-status').filter({ hasText: `registered ${n.upload} version 1` }).waitFor();
    await page.fill('#call-args', '[41]');
    await page.click('#call-invoke');
    await page.locator('#call-result[data-status="done"]').waitFor();
    result.uploadCallText = await page.textContent('#call-result');
    await page.locator(`#functions tr[data-name="${n.upload}"]`).waitFor();
    result.detailTitle = await page.textContent('#fd-title');
    result.detailSource = await page.textContent('#fd-source');
    const live = page.locator(`#calls tr[data-function="${n.upload}"][data-status="done"]`);
    await live.waitFor();
    result.uploadLiveLogs = await live.locator('pre').textContent();
  });

  await step('a DAG is drawn and its call shows up live as it completes', async () => {
    await api('POST', '/v1/functions', { name: n.inc, language: 'python', source: `def ${n.inc}(cloudburst, x):\n    return x + 1\n` });
    await api('POST', '/v1/functions', { name: n.dbl, language: 'javascript', source: `function ${n.dbl}(cloudburst, x) { return x * 2; }\n` });
    await api('POST', '/v1/dags', { name: n.dag, functions: [n.inc, n.dbl], connections: [[n.inc, n.dbl]] });
    const dag = page.locator(`#dag-${n.dag}`);
    await dag.locator('svg g[data-function]').first().waitFor(); // the registry is polled every few seconds
    result.dagBoxes = await dag.locator('svg g[data-function]').count();
    result.dagEdges = await dag.locator('svg > path').count();
    const call = await api('POST', `/v1/dags/${n.dag}/invoke`, { args: { [n.inc]: [3] } });
    result.dagHttpResult = call.result;
    const row = page.locator(`#calls tr[data-id="${call.id}"][data-status="done"]`);
    await row.waitFor();
    result.dagLiveFunction = await row.getAttribute('data-function');
    result.dagPill = (await dag.locator('.dag-status').textContent()).trim();
    await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });
  });

  await step('a test page follows a future over the WebSocket and a key over the SockJS bridge', async () => {
    await api('POST', '/v1/functions', { name: n.wait, language: 'python', source: `def ${n.wait}(cloudburst, x):\n    return x * 10\n` });
    // The call waits for the key, so it is still pending when the page subscribes to it.
    const pending = await api('POST', `/v1/functions/${n.wait}/invoke`, {
      args: [{ $ref: n.key }], wait: false, await_refs_ms: 60_000, timeout_ms: 90_000,
    });
    result.pendingStatus = pending.status;
    const p2 = watch(await context.newPage());
    await p2.goto(`${base}/test/futures.html?id=${encodeURIComponent(pending.id)}&key=${encodeURIComponent(n.key)}`);
    await p2.locator('#bus-state.up').waitFor();
    await p2.waitForFunction(() => Number(document.getElementById('key-updates').textContent) >= 1);
    result.keyBefore = await p2.textContent('#key');
    result.futureBefore = await p2.textContent('#future-status');
    await api('PUT', '/v1/kvs/' + encodeURIComponent(n.key), { value: 7 });
    await p2.waitForFunction(() => document.getElementById('key').textContent === '7');
    await p2.locator('#future-status.done').waitFor();
    await p2.locator('#bus-result-status.done').waitFor();
    result.keyAfter = await p2.textContent('#key');
    result.keyLattice = await p2.textContent('#key-lattice');
    result.future = await p2.textContent('#future');
    result.busResult = await p2.textContent('#bus-result');
    await p2.screenshot({ path: join(shots, 'futures.png'), fullPage: true });
  });
} catch (e) {
  console.error(`FAILED at step "${current}": ${e.stack || e}`);
  console.error('page errors: ' + JSON.stringify(pageErrors));
  console.error('console errors: ' + JSON.stringify(consoleErrors));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
result.pageErrors = pageErrors;
result.consoleErrors = consoleErrors;
console.log('RESULT ' + JSON.stringify(result));
