// A stream's page: follow its status as server-sent events
// (/v1/streams/{name}/events, one event per committed batch or change of
// state), redraw its numbers and charts, and reload its live table.
'use strict';
(() => {
  const root = document.getElementById('stream');
  if (!root) return;
  const name = root.dataset.name;
  const tableQuery = root.dataset.tableQuery;
  const live = document.getElementById('live');
  const liveTable = live ? new nectar.Table(live) : null;
  const errorBox = document.getElementById('stream-error');
  const set = (field, text) => {
    for (const e of root.querySelectorAll(`[data-field="${field}"]`)) e.textContent = text;
  };

  // nectar.yaml without output_mode: the stream's default.
  const defaultMode = 'complete for an aggregation, else append';
  let shownBatches = -1, shownReady = false;
  let loading = false, again = false;

  // when renders an RFC 3339 time as the page's templates do:
  // 2026-12-07 19:54:12Z.
  const when = (t) => t.replace('T', ' ').replace(/\.\d+(Z|[+-]\d\d:\d\d)$/, '$1');

  // waiting says the live table has no result to read yet.
  function waiting() {
    if (!liveTable) return;
    liveTable.clear();
    live.dataset.rows = '0';
    const caption = document.createElement('caption');
    caption.className = 'meta';
    caption.textContent = 'no result yet: the stream is waiting for its first batch';
    live.append(caption);
  }

  // reloadTable reads the live table anew; a commit during the read
  // reads it once more after.
  async function reloadTable() {
    if (!liveTable) return;
    if (loading) { again = true; return; }
    loading = true;
    try {
      let cols = null;
      const rows = [];
      await nectar.runQuery(tableQuery, { limit: 1000, onColumns: (c) => { cols = c; }, onRows: (r) => rows.push(...r) });
      if (cols) {
        liveTable.setColumns(cols);
        liveTable.appendRows(rows);
      }
      live.dataset.rows = String(rows.length);
    } catch (e) {
      liveTable.clear();
      live.dataset.rows = '0';
      const caption = document.createElement('caption');
      caption.className = 'meta';
      caption.textContent = e.message;
      live.append(caption);
    } finally {
      loading = false;
      if (again) { again = false; reloadTable(); }
    }
  }

  function charts(recent) {
    const rates = document.getElementById('rates-chart');
    const durations = document.getElementById('durations-chart');
    if (!recent || !recent.length) {
      rates.textContent = durations.textContent = 'no batch yet';
      return;
    }
    // A batch's input rate is its rows over the time since the previous
    // batch committed (Spark's inputRowsPerSecond).
    const input = recent.map((b, i) => {
      const prev = i > 0 ? Date.parse(recent[i - 1].committed) : Date.parse(b.committed) - b.duration_ms;
      const s = (Date.parse(b.committed) - prev) / 1000;
      return s > 0 ? b.rows_in / s : null;
    });
    const x = recent.map((b) => b.batch);
    nectarChart.plot(rates, { kind: 'line', xKind: 'integer', x, legend: true, label: 'rates', series: [
      { name: 'input rows/s', values: input },
      { name: 'processed rows/s', values: recent.map((b) => b.processed_rows_per_second) },
    ] });
    nectarChart.plot(durations, { kind: 'bar', xKind: 'category', x, label: 'durations', series: [
      { name: 'duration ms', values: recent.map((b) => b.duration_ms) },
    ] });
  }

  function show(s) {
    const state = root.querySelector('h1 [data-field="state"]');
    state.textContent = s.state;
    state.className = `state state-${s.state}`;
    set('batches', String(s.batches));
    set('mode', s.mode || defaultMode);
    set('input_rows_per_second', nectar.rate(s.input_rows_per_second));
    set('processed_rows_per_second', nectar.rate(s.processed_rows_per_second));
    set('last_duration', s.recent && s.recent.length ? nectar.duration(s.recent[s.recent.length - 1].duration_ms) : '–');
    set('rows_in', nectar.count(s.rows_in));
    set('rows_out', nectar.count(s.rows_out));
    set('files_pending', String(s.files_pending));
    set('oldest_pending', s.files_pending ? nectar.duration((s.oldest_pending_ns || 0) / 1e6) : '–');
    set('late_rows', nectar.count(s.late_rows));
    set('skipped_files', String(s.skipped_files));
    set('partial_files', String(s.partial_files));
    set('watermark', s.watermark ? when(s.watermark) : '–');
    set('uncommitted_batch', s.uncommitted_batch ? 'yes' : 'no');
    set('restarts', String(s.restarts));
    set('table_rows', String(s.table_rows));
    const err = s.error || s.last_error || '';
    errorBox.hidden = !err;
    set('error', err);
    set('restarts_note', s.restarts ? `(restarts: ${s.restarts}${s.next_attempt ? ', next attempt at ' + when(s.next_attempt) : ''})` : '');
    const problems = document.querySelector('#problems tbody');
    problems.replaceChildren();
    for (const p of s.problems || []) {
      const tr = document.createElement('tr');
      for (const v of [p.batch, p.path, p.outcome, p.reason, p.attempts]) {
        const td = document.createElement('td');
        td.textContent = String(v);
        tr.append(td);
      }
      problems.append(tr);
    }
    if (!problems.children.length) {
      const tr = document.createElement('tr');
      tr.className = 'none';
      const td = document.createElement('td');
      td.colSpan = 5;
      td.textContent = 'none';
      tr.append(td);
      problems.append(tr);
    }
    charts(s.recent);
    if (s.batches !== shownBatches || s.table_ready !== shownReady) {
      shownBatches = s.batches;
      shownReady = s.table_ready;
      root.dataset.batches = String(s.batches);
      // Before its first batch a memory table has no columns to read.
      if (s.table_ready) reloadTable(); else waiting();
    }
  }

  const events = new EventSource(`/v1/streams/${encodeURIComponent(name)}/events`);
  events.addEventListener('status', (ev) => {
    root.dataset.connected = 'yes';
    show(JSON.parse(ev.data));
  });
  // EventSource reconnects by itself (after a server restart too).
  events.addEventListener('error', () => { root.dataset.connected = 'no'; });
})();
