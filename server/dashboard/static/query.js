// The query page: run the editor's query with its rows streaming into the
// table, show an error with its caret, EXPLAIN, download the result
// through /v1/query?format=…, and chart it.
'use strict';
(() => {
  const form = document.getElementById('query-form');
  const sql = document.getElementById('sql');
  const runButton = document.getElementById('run');
  const explainButton = document.getElementById('explain');
  const cancelButton = document.getElementById('cancel');
  const status = document.getElementById('status');
  const errorBox = document.getElementById('error');
  const plan = document.getElementById('plan');
  const chart = document.getElementById('chart');
  const table = new nectar.Table(document.getElementById('results'));
  let running = null;

  function busy(on) {
    runButton.disabled = explainButton.disabled = on;
    cancelButton.disabled = !on;
    document.body.dataset.running = on ? 'yes' : 'no';
  }

  // showError shows the API's error: the CLI's rendering with the line
  // and a caret under the spot, and puts the editor's cursor there.
  function showError(err, text) {
    const body = err.body || {};
    const e = body.error || { message: err.message };
    errorBox.textContent = body.detail || e.message + (e.hint ? `\nhint: ${e.hint}` : '');
    errorBox.hidden = false;
    errorBox.dataset.line = e.line || '';
    errorBox.dataset.column = e.column || '';
    if (e.line && e.column && text === sql.value) {
      const lines = text.split('\n');
      let pos = 0;
      for (let i = 0; i < e.line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
      pos += e.column - 1;
      sql.focus();
      sql.setSelectionRange(pos, Math.min(pos + 1, text.length));
    }
  }

  function reset() {
    errorBox.hidden = true;
    errorBox.textContent = '';
    plan.hidden = true;
    chart.hidden = true;
    chart.replaceChildren();
    table.clear();
  }

  async function run(text, { explain = false } = {}) {
    if (running) running.abort();
    const ctrl = new AbortController();
    running = ctrl;
    reset();
    busy(true);
    status.textContent = 'running…';
    const began = performance.now();
    let cols = [];
    const rows = [];
    try {
      const done = await nectar.runQuery(explain ? 'EXPLAIN ' + text : text, {
        signal: ctrl.signal,
        onColumns: (c) => {
          cols = c;
          if (!explain && c.length) table.setColumns(c);
        },
        onRows: (chunk) => {
          rows.push(...chunk);
          if (!explain) {
            table.appendRows(chunk);
            status.textContent = `${nectar.count(rows.length)} rows so far…`;
          }
        },
      });
      const ms = performance.now() - began;
      if (explain) {
        plan.textContent = rows.map((r) => r.join(' ')).join('\n');
        plan.hidden = false;
        status.textContent = `plan in ${nectar.duration(ms)}`;
        return;
      }
      status.textContent = cols.length
        ? `${nectar.count(rows.length)} row${rows.length === 1 ? '' : 's'} in ${nectar.duration(ms)}` + (done.truncated ? ' (the first rows only: download for all)' : '')
        : `done in ${nectar.duration(ms)}`;
      const spec = nectarChart.fromResult(cols, rows);
      if (spec) {
        nectarChart.plot(chart, spec);
        chart.hidden = false;
      }
    } catch (err) {
      if (err.name === 'AbortError') {
        status.textContent = 'cancelled';
      } else {
        status.textContent = 'failed';
        showError(err, text);
      }
    } finally {
      if (running === ctrl) running = null;
      busy(false);
    }
  }

  // download asks /v1/query for the whole result in format and saves it.
  async function download(format) {
    const text = sql.value;
    status.textContent = `preparing ${format}…`;
    try {
      const resp = await fetch(`/v1/query?format=${encodeURIComponent(format)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        body: text,
      });
      if (!resp.ok) {
        let body;
        try { body = await resp.json(); } catch { body = { error: { message: `${resp.status} ${resp.statusText}` } }; }
        throw new nectar.QueryError(resp.status, body);
      }
      const blob = await resp.blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `nectar-result.${format === 'arrow' ? 'arrows' : format}`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      status.textContent = `downloaded ${format} (${nectar.count(blob.size)} bytes)`;
    } catch (err) {
      status.textContent = 'download failed';
      showError(err, text);
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = sql.value;
    const url = new URL(location.href);
    url.searchParams.set('sql', text);
    history.replaceState(null, '', url);
    run(text);
  });
  sql.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  explainButton.addEventListener('click', () => run(sql.value, { explain: true }));
  cancelButton.addEventListener('click', () => running && running.abort());
  for (const b of document.querySelectorAll('button.download')) {
    b.addEventListener('click', () => download(b.dataset.format));
  }
})();
