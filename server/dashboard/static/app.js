// Shared by the dashboard's pages: running a query through /ui/query as
// its rows stream in, and showing rows in a table. No library: the page
// loads nothing but this server's own files.
'use strict';

const nectar = (() => {
  class QueryError extends Error {
    constructor(status, body) {
      super((body && body.error && body.error.message) || 'the query failed');
      this.status = status;
      this.body = body || {};
    }
  }

  // runQuery runs sql and calls onColumns once with [{name, type}] and
  // onRows with each chunk of rows (arrays in column order) as they
  // arrive. It resolves to {rows, ms, truncated}, or rejects with a
  // QueryError carrying the API's error body (message, line, column,
  // detail with the caret).
  async function runQuery(sql, { signal, limit, onColumns = () => {}, onRows = () => {} } = {}) {
    const resp = await fetch('/ui/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sql, limit: limit || 0 }),
      signal,
    });
    const type = resp.headers.get('Content-Type') || '';
    if (!resp.ok) {
      let body;
      try { body = await resp.json(); } catch { body = { error: { message: `${resp.status} ${resp.statusText}` } }; }
      throw new QueryError(resp.status, body);
    }
    if (!type.startsWith('application/x-ndjson')) {
      const body = await resp.json();
      onColumns([]);
      return body.done || { rows: 0 };
    }
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    let done = null;
    for (;;) {
      const { value, done: end } = await reader.read();
      if (value) buf += decoder.decode(value, { stream: true });
      const chunk = [];
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const v = JSON.parse(line);
        if (Array.isArray(v)) chunk.push(v);
        else if (v.columns) onColumns(v.columns);
        else if (v.done) done = v.done;
        else if (v.error) {
          if (chunk.length) onRows(chunk);
          throw new QueryError(200, v);
        }
      }
      if (chunk.length) onRows(chunk);
      if (end) break;
    }
    if (!done) throw new QueryError(0, { error: { message: 'the answer was cut short' } });
    return done;
  }

  const numeric = (t) => t === 'BIGINT' || t === 'DOUBLE';

  // Table fills a <table> with columns and rows, appending as rows come.
  class Table {
    constructor(el) { this.el = el; this.cols = []; }
    clear() { this.el.replaceChildren(); this.cols = []; this.body = null; }
    setColumns(cols) {
      this.clear();
      this.cols = cols;
      const tr = document.createElement('tr');
      for (const c of cols) {
        const th = document.createElement('th');
        th.textContent = c.name;
        const t = document.createElement('span');
        t.className = 'type';
        t.textContent = c.type;
        th.append(t);
        tr.append(th);
      }
      const head = document.createElement('thead');
      head.append(tr);
      this.body = document.createElement('tbody');
      this.el.append(head, this.body);
    }
    appendRows(rows) {
      const frag = document.createDocumentFragment();
      for (const r of rows) {
        const tr = document.createElement('tr');
        r.forEach((v, i) => {
          const td = document.createElement('td');
          if (v === null) {
            td.textContent = 'NULL';
            td.className = 'null';
          } else {
            td.textContent = String(v);
            if (numeric(this.cols[i] && this.cols[i].type)) td.className = 'num';
          }
          tr.append(td);
        });
        frag.append(tr);
      }
      this.body.append(frag);
    }
  }

  // duration renders nanoseconds or milliseconds for people.
  function duration(ms) {
    if (!ms || ms <= 0) return '0';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(1)} s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
    return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  }

  function rate(f) {
    if (!f) return '0';
    if (f < 10) return f.toFixed(2);
    return Math.round(f).toLocaleString('en').replaceAll(',', '\u202f');
  }

  function count(n) { return Number(n || 0).toLocaleString('en').replaceAll(',', '\u202f'); }

  return { runQuery, QueryError, Table, numeric, duration, rate, count };
})();
