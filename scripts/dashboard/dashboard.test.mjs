// Browser tests of nectar serve's dashboard: Playwright (playwright-core)
// drives Debian's chromium headless against nectar serve on loopback,
// which this file starts (and stops, and starts again) in the project
// scripts/dashboard-test.sh made. Run with node --test.
//
// Environment: NECTAR_USER and NECTAR_PASSWORD (a user of the project's
// users.txt), NECTAR_BIN (the CLI: the server, and the answers to compare
// with), NECTAR_PROJECT (the server's folder; the stream reads incoming/
// there), NECTAR_SERVER_LOG (the servers' stderr goes there),
// NECTAR_SERVER_PIDS (their process ids, one a line, for the script's
// clean-up),
// NECTAR_ARRIVALS (generated .gz files to move in, colon-separated),
// SCREENSHOTS (where to keep screenshots), CHROMIUM (the browser),
// NODE_MODULES (the folder holding playwright-core).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

// playwright-core lives in the cache the script installed it into
// (NODE_MODULES), not beside this file; ES modules ignore NODE_PATH.
const { chromium } = createRequire(path.join(process.env.NODE_MODULES, 'x.js'))('playwright-core');

const project = process.env.NECTAR_PROJECT;
const shots = process.env.SCREENSHOTS;
const arrivals = process.env.NECTAR_ARRIVALS.split(':');

let browser, context, page;
let server;           // the running nectar serve: {child, addr, exited}
let base;             // http://127.0.0.1:PORT
const outside = [];   // requests to anything but the server
const problems = [];  // console errors (CSP violations among them) and page errors

function cli(sql) {
  const out = execFileSync(process.env.NECTAR_BIN, ['query', '--format', 'json', sql], { cwd: project, encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function arrive(i) {
  // A writer renames a finished file into place.
  const dir = path.join(project, 'incoming');
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.part-${i}.gz`);
  fs.copyFileSync(arrivals[i], tmp);
  fs.renameSync(tmp, path.join(dir, `${i}.gz`));
}

// shot keeps a screenshot of the page, which must fit the window's width
// (a wide table scrolls in its own box).
async function shot(name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${name}: the page is ${scroll}px wide in a ${client}px window`);
}

// startServer runs nectar serve in the project on addr (127.0.0.1:0 at
// first; the same address when it comes back) and resolves once it
// listens.
async function startServer(addr) {
  const log = fs.openSync(process.env.NECTAR_SERVER_LOG, 'a');
  const child = spawn(process.env.NECTAR_BIN, ['serve', '--flight-sql', '', '--spark-connect', '', '--http', addr, '--users', 'users.txt'],
    { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] });
  fs.appendFileSync(process.env.NECTAR_SERVER_PIDS, `${child.pid}\n`);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  const listening = new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      fs.writeSync(log, d);
      stderr += d;
      const m = /msg="HTTP listening" addr=(127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    exited.then(({ code, signal }) => reject(new Error(`nectar serve exited (${code ?? signal}): ${stderr}`)));
  });
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`nectar serve did not listen: ${stderr}`)), 20000).unref());
  const listenAddr = await Promise.race([listening, timeout]);
  return { child, addr: listenAddr, exited, stderr: () => stderr };
}

before(async () => {
  server = await startServer('127.0.0.1:0');
  base = `http://${server.addr}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // No sandbox (root in CI); and none of Chromium's own traffic
    // (updates, sync, QUIC probes) on a machine whose network is closed.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({
    baseURL: base,
    viewport: { width: 1280, height: 900 },
    httpCredentials: { username: process.env.NECTAR_USER, password: process.env.NECTAR_PASSWORD },
    acceptDownloads: true,
  });
  // Everything the pages load must come from the server on 127.0.0.1.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname !== '127.0.0.1' && url.protocol !== 'blob:' && url.protocol !== 'data:') {
      outside.push(url.href);
      return route.abort();
    }
    return route.continue();
  });
  // A CSP violation is reported as an event too (beside Chromium's
  // console message); the script is injected by the browser's debugger,
  // which the CSP does not govern.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.setDefaultTimeout(30000);
});

after(async () => {
  await browser?.close();
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

// The watchers catch what they watch: an image from elsewhere put into a
// page is blocked by its CSP and reported; a fetch from elsewhere is
// caught (and aborted) by the route. Both are removed, so the last test
// sees only what the dashboard itself did.
test('the watchers see CSP violations and requests elsewhere', async () => {
  await page.goto('/');
  const csp = (await page.request.get('/')).headers()['content-security-policy'];
  assert.match(csp, /default-src 'self'/);
  await page.evaluate(() => {
    const img = document.createElement('img');
    img.src = 'http://192.0.2.1/probe.png'; // TEST-NET-1: routed nowhere
    document.body.append(img);
  });
  for (let i = 0; i < 50 && !problems.some((p) => /CSP violation: img-src blocked http:\/\/192\.0\.2\.1/.test(p)); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(problems.some((p) => /CSP violation: img-src blocked http:\/\/192\.0\.2\.1/.test(p)), problems.join('\n'));
  problems.length = 0;

  const blank = await context.newPage();
  await blank.evaluate(() => fetch('http://192.0.2.1/probe').catch(() => {}));
  await blank.close();
  assert.deepEqual(outside, ['http://192.0.2.1/probe']);
  outside.length = 0;
});

test('a query runs and its rows, chart and download show', async () => {
  await page.goto('/');
  const sql = "SELECT event, count(*) AS n FROM events WHERE event IS NOT NULL GROUP BY event ORDER BY n DESC, event";
  await page.fill('#sql', sql);
  await page.click('#run');
  const want = cli(sql);
  await page.locator('#results tbody tr').nth(want.length - 1).waitFor();
  const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
  assert.deepEqual(rows, want.map((r) => [r.event, String(r.n)]));
  assert.deepEqual(await page.$$eval('#results th', (ths) => ths.map((th) => th.firstChild.textContent)), ['event', 'n']);
  await page.locator('#chart svg[data-kind="bar"]').waitFor();
  assert.equal(await page.locator('#chart svg rect[data-value]').count(), want.length);
  await expectText('#status', new RegExp(`^${want.length} rows in `));
  await shot('query');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.download[data-format="csv"]')]);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'event,n');
  assert.equal(csv.length, want.length + 1);
  // Parquet and Arrow IPC stream files, whole.
  for (const [format, check] of [
    ['parquet', (b) => b.subarray(0, 4).toString() === 'PAR1' && b.subarray(-4).toString() === 'PAR1'],
    ['arrow', (b) => b.readUInt32LE(0) === 0xffffffff],
  ]) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`button.download[data-format="${format}"]`)]);
    const bytes = fs.readFileSync(await dl.path());
    assert.ok(bytes.length > 100 && check(bytes), `${format} download: ${bytes.length} bytes`);
  }

  // A first column of times draws a line.
  await page.fill('#sql', "SELECT date_trunc('HOUR', CAST(timestamp AS TIMESTAMP)) AS hour, count(*) AS n FROM events GROUP BY 1 ORDER BY 1");
  await page.click('#run');
  await page.locator('#chart svg[data-kind="line"] polyline').waitFor();
  await shot('query-line-chart');

  await page.fill('#sql', 'SELECT event, count(*) AS n FROM events GROUP BY event');
  await page.click('#explain');
  await page.locator('#plan').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#plan'), /Aggregate|Scan/i);
});

// Cancel stops the query in the server too, not only in the page.
test('a running query is cancelled', async (t) => {
  await page.goto('/');
  const heavy = 'SELECT count(*) AS n FROM events a JOIN events b ON a.event = b.event JOIN events c ON b.event = c.event';
  await page.fill('#sql', heavy);
  await page.click('#run');
  await expectText('#status', /running/);
  await page.waitForTimeout(300);
  await page.click('#cancel');
  await expectText('#status', /^cancelled$/);
  const deadline = Date.now() + 10000;
  const ended = () => server.stderr().split('\n').find((l) => l.includes('msg="query failed"') && l.includes('JOIN events c'));
  while (!ended() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(ended(), 'the server did not end the query');
  assert.match(ended(), /cancel/i);
  t.diagnostic(ended());
});

test('an error shows its caret and moves the cursor there', async () => {
  await page.goto('/');
  await page.fill('#sql', 'SELECT event\nFRM events');
  await page.click('#run');
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible' });
  const text = await error.textContent();
  assert.match(text, /error at 2:1/);
  assert.match(text, /FRM events\n\s*\^/);
  assert.equal(await error.getAttribute('data-line'), '2');
  assert.equal(await page.$eval('#sql', (t) => t.selectionStart), 'SELECT event\n'.length);
  await shot('query-error');
  // Chromium logs the refused query's 400 as a failed load: expected
  // here, once, and nowhere else.
  const refused = problems.filter((p) => /status of 400 .*\/ui\/query\)$/.test(p));
  assert.equal(refused.length, 1, problems.join('\n'));
  problems.splice(problems.indexOf(refused[0]), 1);
});

test('a stream page shows batches and its live table grow as files arrive', async () => {
  await page.goto('/streams/data_stream');
  await expectText('[data-field="state"]', /running/);
  // Following the stream's server-sent events; nothing to read yet.
  await page.waitForFunction(() => document.getElementById('stream').dataset.connected === 'yes');
  await expectText('#live caption', /no result yet/);
  const loads = [];
  page.on('load', () => loads.push(page.url()));
  let last = -1;
  // Every file but the last, which arrives after a restart (below).
  for (let i = 0; i < arrivals.length - 1; i++) {
    arrive(i);
    await expectText('dd[data-field="batches"]', new RegExp(`^${i + 1}$`));
    const want = cli(streamQuery).map((r) => [r.expt === null ? 'NULL' : r.expt, String(r.n)]).sort();
    // The table reloads when the batch's event arrives.
    await liveTableIs(want);
    const total = want.reduce((s, r) => s + Number(r[1]), 0);
    assert.ok(total > last, `the table grew: ${total} after ${last}`);
    last = total;
  }
  assert.deepEqual(loads, [], 'the page was never reloaded: the events brought every change');
  assert.equal(await page.locator('#rates-chart svg polyline').count() >= 1, true);
  assert.equal(await page.locator('#durations-chart svg rect').count(), arrivals.length - 1);
  await shot('stream');
  await page.goto('/streams');
  await expectText('tr[data-stream="data_stream"] [data-field="batches"]', new RegExp(`^${arrivals.length - 1}$`));
  await shot('streams');
});

// The operator restarts the server while a stream page is open: SIGTERM
// stops it cleanly (exit 143, the stream stopped), the page notices and
// reconnects by itself once the server is back on its address, and the
// next file is counted once, on top of the batches the checkpoint kept.
test('a stream page carries on across a restart of the server', async () => {
  await page.goto('/streams/data_stream');
  await page.waitForFunction(() => document.getElementById('stream').dataset.connected === 'yes');
  const before = problems.length;
  server.child.kill('SIGTERM');
  const { code } = await server.exited;
  assert.equal(code, 143, server.stderr());
  assert.match(server.stderr(), /msg="stream stopped" stream=data_stream/);
  assert.match(server.stderr(), /msg=stopped/);
  await page.waitForFunction(() => document.getElementById('stream').dataset.connected === 'no');

  server = await startServer(server.addr);
  await page.waitForFunction(() => document.getElementById('stream').dataset.connected === 'yes', null, { timeout: 30000 });
  const last = arrivals.length - 1;
  arrive(last);
  await expectText('dd[data-field="batches"]', new RegExp(`^${arrivals.length}$`));
  const want = cli(streamQuery).map((r) => [r.expt === null ? 'NULL' : r.expt, String(r.n)]).sort();
  await liveTableIs(want);
  // Each file read once: the rows read are the files' rows.
  const [{ n: rowsIn }] = cli(`SELECT count(*) AS n FROM read_json('./incoming/*.gz')`);
  await expectText('[data-field="rows_in"]', new RegExp(`^${Number(rowsIn).toLocaleString('en').replaceAll(',', '\u202f')}$`));
  await shot('stream-after-restart');
  // While the server was down, Chromium logged the refused reconnects:
  // those only.
  const during = problems.splice(before);
  for (const p of during) {
    assert.match(p, /ERR_CONNECTION_REFUSED|status of 503/, during.join('\n'));
  }
});

// A stream whose PostgreSQL sink is down is retried, and its page says
// why without ever showing the sink URL's password (nor does the API).
test('a failing stream shows its error and never its password', async () => {
  const secret = process.env.NECTAR_PG_PASSWORD;
  await page.goto('/streams');
  await expectText('tr[data-stream="orders_pg"] [data-field="state"]', /^(restarting|failed)$/);
  await page.click('a[href="/streams/orders_pg"]');
  await page.locator('#stream-error').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#stream-error [data-field="error"]'), /connect|refused|dial/i);
  assert.match(await page.textContent('.meta'), /PostgreSQL table orders/);
  await shot('stream-failing');
  for (const [what, text] of [
    ['the page', await page.content()],
    ['GET /v1/streams', await (await page.request.get('/v1/streams')).text()],
    ['GET /v1/streams/orders_pg', await (await page.request.get('/v1/streams/orders_pg')).text()],
  ]) {
    assert.ok(!text.includes(secret), `${what} shows the sink's password`);
  }
});

test('a source glimpse counts its rows on demand', async () => {
  await page.goto('/sources');
  await page.click('a[href="/sources/events"]');
  await page.locator('table.glimpse tbody tr').first().waitFor();
  assert.ok(await page.locator('table.glimpse td.col', { hasText: /^event$/ }).count() === 1);
  await page.click('#count');
  const [{ n }] = cli('SELECT count(*) AS n FROM events');
  await expectText('#row-count', new RegExp(`^${Number(n).toLocaleString('en').replaceAll(',', '\u202f')}$`));
  await shot('source');
});

test('an experiment report opens', async () => {
  await page.goto('/experiments');
  await page.click('a[href^="/experiments/"]');
  const report = page.locator('#report');
  await report.waitFor();
  assert.match(await report.locator('h1').textContent(), /Experiment food-recs-2019-02/);
  assert.ok(await report.locator('svg').count() >= 2);
  // The same numbers as nectar experiment.
  const json = JSON.parse(execFileSync(process.env.NECTAR_BIN, ['experiment', '--spec', 'experiments/food-recs.yaml', '--format', 'json'], { cwd: project, encoding: 'utf8' }));
  // Each metric's table: variant, units, mean, …, abs p (…): units exactly,
  // the mean and the p-value as printed (4 significant digits).
  const tables = await report.locator('table').evaluateAll((ts) => ts
    .map((t) => [...t.rows].map((r) => [...r.cells].map((c) => c.textContent.trim())))
    .filter((rows) => rows.length && rows[0][0] === 'variant'));
  assert.equal(tables.length, json.metrics.length);
  const sig = (x) => Number(Number(x).toPrecision(4));
  json.metrics.forEach((m, i) => {
    const head = tables[i][0];
    const col = (name) => head.indexOf(name);
    assert.deepEqual(tables[i].slice(1).map((r) => r[0]), m.variants.map((v) => v.name), m.name);
    m.variants.forEach((v, j) => {
      const row = tables[i][j + 1];
      assert.equal(Number(row[col('units')]), v.units, `${m.name} ${v.name} units`);
      assert.equal(sig(row[col('mean')]), sig(v.mean), `${m.name} ${v.name} mean`);
      if (!v.control) assert.equal(sig(row[col('abs p')]), sig(v.absolute.p_value), `${m.name} ${v.name} abs p`);
    });
  });
  await shot('experiment');
});

// The model graph: the food-recs page shows what the seed story's files
// say of it and the scores recorded with --record, one chart per metric
// with a point per window (as many as graph_scores has lifts); its impact
// walk reaches the training job, releases, deployment and routes, and a
// node's own walk follows from there.
test('a model page shows its versions, jobs, releases, deployments, routes and scores, and its impact walk', async () => {
  await page.goto('/models');
  await expectText('tr[data-model="model:recsys:food-recs"] [data-field="latest"]', /^2019\.02$/);
  await shot('models');
  await page.click('a[href="/models/model:recsys:food-recs"]');
  await page.locator('table#versions').waitFor();
  for (const [selector, re] of [
    ['#versions', /2019\.02[\s\S]*2018\.11/],
    ['#jobs', /job:recsys:train-food-recs[\s\S]*FAIL[\s\S]*COMPLETE/],
    ['#helm-charts', /chart:helm:food-recs/],
    ['#releases', /release:recsys:food-recs/],
    ['#deployments', /deployment:recsys:food-recs-api[\s\S]*ghcr\.io\/acme\/food-recs-api:2019\.02/],
    ['#routes', /\/recs\/\{userId\}/],
    ['table#scores', /Model_B/],
  ]) {
    assert.match(await page.textContent(selector), re, selector);
  }
  const lifts = cli(`SELECT metric, count(rel_lift) AS n FROM graph_scores
    WHERE experiment = 'experiment:recsys:food-recs-2019-02' GROUP BY metric ORDER BY metric`);
  const charts = page.locator('#score-charts figure');
  assert.equal(await charts.count(), lifts.length);
  for (let i = 0; i < lifts.length; i++) {
    const chart = charts.nth(i);
    await chart.locator('svg polyline').waitFor();
    assert.match(await chart.locator('figcaption').textContent(), new RegExp(`^${lifts[i].metric}:`));
    assert.equal(await chart.locator('svg circle').count(), Number(lifts[i].n), lifts[i].metric);
    assert.equal(await chart.locator('svg line.interval').count(), Number(lifts[i].n), lifts[i].metric);
  }
  await shot('model');

  await page.click('#walk');
  await page.locator('table.walk').first().waitFor();
  for (const id of ['job:recsys:train-food-recs', 'release:recsys:food-recs', 'deployment:recsys:food-recs-api',
    'api_route:recsys/food-recs-api:GET /recs/{userId}', 'experiment:recsys:food-recs-2019-02']) {
    assert.equal(await page.locator(`tr[data-id="${id}"]`).count(), 1, id);
  }
  await shot('walk');
  await page.click('tr[data-id="deployment:recsys:food-recs-api"] a.node');
  await expectText('#walk-start', /^deployment:recsys:food-recs-api$/);
  await page.selectOption('#walk-form select[name="direction"]', 'down');
  await page.click('#walk-form button');
  await page.locator('tr[data-id="api_route:recsys/food-recs-api:GET /health"]').waitFor();
  assert.equal(await page.locator('tr[data-id="release:recsys:food-recs"]').count(), 0, 'down from a deployment: not its release');
  await shot('walk-deployment-down');
});

test('nothing was fetched from outside 127.0.0.1 and no page logged an error', () => {
  assert.deepEqual(outside, []);
  assert.deepEqual(problems, []);
});

const streamQuery = "SELECT properties.recommender.variant AS expt, count(*) AS n FROM read_json('./incoming/*.gz') WHERE event = 'Added to Cart' GROUP BY 1";

// liveTableIs waits until the stream page's live table holds want's rows
// (in any order).
async function liveTableIs(want) {
  await page.waitForFunction((w) => {
    const rows = [...document.querySelectorAll('#live tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent).join('|')).sort();
    return JSON.stringify(rows) === JSON.stringify(w.map((r) => r.join('|')));
  }, want);
}

async function expectText(selector, re) {
  await page.waitForFunction(([s, src, flags]) => {
    const e = document.querySelector(s);
    return e && new RegExp(src, flags).test(e.textContent.trim());
  }, [selector, re.source, re.flags]);
}
