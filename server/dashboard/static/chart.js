// A small SVG chart of its own (lines over time or numbers, grouped bars
// over categories): enough for a result and a stream's batches, without
// a charting library to vendor.
'use strict';

const nectarChart = (() => {
  const NS = 'http://www.w3.org/2000/svg';
  const palette = ['#1f6feb', '#d98e04', '#2da44e', '#cf222e', '#8250df', '#0a7ea4'];
  const W = 800, H = 280, M = { l: 64, r: 16, t: 14, b: 52 };
  const maxBars = 50, maxSeries = 6;

  function el(tag, attrs, text) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // niceTicks gives about n round values spanning [lo, hi].
  function niceTicks(lo, hi, n = 5) {
    if (!(hi > lo)) { hi = lo + 1; }
    const raw = (hi - lo) / n;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => raw <= s) || 10 * mag;
    const first = Math.floor(lo / step) * step;
    const out = [];
    for (let v = first; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    if (out[out.length - 1] < hi) out.push(+(out[out.length - 1] + step).toPrecision(12));
    return out;
  }

  function fmtNum(v) {
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toPrecision(3) + 'G';
    if (a >= 1e6) return (v / 1e6).toPrecision(3) + 'M';
    if (a >= 1e4) return (v / 1e3).toPrecision(3) + 'k';
    return String(+v.toPrecision(4));
  }

  function fmtTime(ms, span) {
    const iso = new Date(ms).toISOString();
    if (span > 3 * 864e5) return iso.slice(0, 10);
    if (span > 864e5) return iso.slice(5, 16).replace('T', ' ');
    return iso.slice(11, 19);
  }

  // plot draws spec into container, replacing what was there:
  // {kind: 'line'|'bar', xKind: 'time'|'number'|'integer'|'category', x: [...],
  //  series: [{name, values: [...], lo: [...], hi: [...]}], note}; lo and
  // hi, optional, are an interval around each value (lines only).
  function plot(container, spec) {
    const series = spec.series.slice(0, maxSeries);
    const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': spec.label || 'chart' });
    const pw = W - M.l - M.r, ph = H - M.t - M.b;
    const ys = series.flatMap((s) => [...s.values, ...(s.lo || []), ...(s.hi || [])]).filter((v) => typeof v === 'number' && isFinite(v));
    let ylo = Math.min(0, ...ys), yhi = Math.max(0, ...ys);
    if (!ys.length) { ylo = 0; yhi = 1; }
    const yt = niceTicks(ylo, yhi);
    ylo = yt[0]; yhi = yt[yt.length - 1];
    const Y = (v) => M.t + ph - ((v - ylo) / (yhi - ylo || 1)) * ph;
    for (const t of yt) {
      svg.append(el('line', { x1: M.l, x2: W - M.r, y1: Y(t), y2: Y(t), class: 'gridline' }));
      svg.append(el('text', { x: M.l - 6, y: Y(t) + 4, 'text-anchor': 'end' }, fmtNum(t)));
    }
    svg.append(el('line', { x1: M.l, x2: M.l, y1: M.t, y2: M.t + ph, class: 'axis' }));
    svg.append(el('line', { x1: M.l, x2: W - M.r, y1: Y(Math.max(ylo, 0)), y2: Y(Math.max(ylo, 0)), class: 'axis' }));
    if (spec.kind === 'bar') {
      const n = spec.x.length;
      const band = pw / Math.max(n, 1);
      const bw = Math.max(1, (band * 0.8) / series.length);
      const every = Math.ceil(n / 16);
      spec.x.forEach((cat, i) => {
        series.forEach((s, j) => {
          const v = s.values[i];
          if (typeof v !== 'number' || !isFinite(v)) return;
          const y0 = Y(Math.max(ylo, 0)), y1 = Y(v);
          svg.append(el('rect', { x: M.l + i * band + band * 0.1 + j * bw, y: Math.min(y0, y1), width: bw, height: Math.max(1, Math.abs(y0 - y1)), fill: palette[j % palette.length], 'data-value': v }));
        });
        if (i % every === 0) {
          const label = String(cat).length > 14 ? String(cat).slice(0, 13) + '…' : String(cat);
          svg.append(el('text', { x: M.l + i * band + band / 2, y: M.t + ph + 16, 'text-anchor': 'middle' }, label));
        }
      });
    } else {
      const xs = spec.x.filter((v) => typeof v === 'number' && isFinite(v));
      let xlo = Math.min(...xs), xhi = Math.max(...xs);
      if (!(xhi > xlo)) { const pad = spec.xKind === 'time' ? 864e5 : 1; xlo -= pad; xhi += pad; } // one point: a day either side
      const X = (v) => M.l + ((v - xlo) / (xhi - xlo)) * pw;
      let ticks = spec.xKind === 'time' ? Array.from({ length: 6 }, (_, i) => xlo + (i * (xhi - xlo)) / 5) : niceTicks(xlo, xhi, 6).filter((t) => t >= xlo && t <= xhi);
      if (spec.xKind === 'integer') ticks = ticks.filter(Number.isInteger); // batch numbers: no batch 0.5
      for (const t of ticks) {
        const label = spec.xKind === 'time' ? fmtTime(t, xhi - xlo) : fmtNum(t);
        svg.append(el('text', { x: X(t), y: M.t + ph + 16, 'text-anchor': 'middle' }, label));
      }
      series.forEach((s, j) => {
        const pts = [];
        spec.x.forEach((x, i) => {
          const v = s.values[i];
          if (typeof x === 'number' && isFinite(x) && typeof v === 'number' && isFinite(v)) pts.push([X(x), Y(v)]);
        });
        if (!pts.length) return;
        const color = palette[j % palette.length];
        // An interval per point when the series has one (lo, hi): a
        // vertical bar through the point.
        if (s.lo && s.hi) {
          spec.x.forEach((x, i) => {
            const lo = s.lo[i], hi = s.hi[i];
            if (typeof x !== 'number' || typeof lo !== 'number' || typeof hi !== 'number' || !isFinite(lo) || !isFinite(hi)) return;
            svg.append(el('line', { x1: X(x), x2: X(x), y1: Y(lo), y2: Y(hi), stroke: color, 'stroke-width': 1.5, class: 'interval' }));
          });
        }
        svg.append(el('polyline', { points: pts.map((p) => p.join(',')).join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }));
        if (pts.length <= 60) for (const p of pts) svg.append(el('circle', { cx: p[0], cy: p[1], r: 2.5, fill: color }));
      });
    }
    if (series.length > 1 || spec.legend) {
      const g = el('g', { class: 'legend' });
      let x = M.l;
      series.forEach((s, j) => {
        g.append(el('rect', { x, y: H - 18, width: 10, height: 10, fill: palette[j % palette.length] }));
        g.append(el('text', { x: x + 14, y: H - 9 }, s.name));
        x += 24 + 7 * String(s.name).length;
      });
      svg.append(g);
    }
    svg.dataset.kind = spec.kind;
    container.replaceChildren(svg);
    if (spec.note) {
      const p = document.createElement('p');
      p.className = 'meta';
      p.textContent = spec.note;
      container.append(p);
    }
  }

  // fromResult picks the chart for a query's result: a line over time
  // when the first column is a TIMESTAMP or DATE, bars otherwise; the
  // numeric columns after the first are the series. null when there is
  // nothing to draw.
  function fromResult(cols, rows) {
    if (!cols.length || !rows.length) return null;
    const numericIdx = cols.map((c, i) => (i > 0 && nectar.numeric(c.type) ? i : -1)).filter((i) => i >= 0);
    const time = cols[0].type === 'TIMESTAMP' || cols[0].type === 'DATE';
    if (!numericIdx.length) {
      if (cols.length === 1 && nectar.numeric(cols[0].type)) {
        return { kind: 'bar', xKind: 'category', x: rows.slice(0, maxBars).map((_, i) => i + 1), series: [{ name: cols[0].name, values: rows.slice(0, maxBars).map((r) => Number(r[0])) }] };
      }
      return null;
    }
    const num = (v) => (v === null ? null : Number(v));
    if (time) {
      const pts = rows.map((r) => [Date.parse(r[0]), r]).filter((p) => !isNaN(p[0])).sort((a, b) => a[0] - b[0]);
      return { kind: 'line', xKind: 'time', x: pts.map((p) => p[0]), series: numericIdx.map((i) => ({ name: cols[i].name, values: pts.map((p) => num(p[1][i])) })) };
    }
    const shown = rows.slice(0, maxBars);
    return {
      kind: 'bar', xKind: 'category', x: shown.map((r) => (r[0] === null ? 'NULL' : r[0])),
      series: numericIdx.slice(0, 4).map((i) => ({ name: cols[i].name, values: shown.map((r) => num(r[i])) })),
      note: rows.length > maxBars ? `the first ${maxBars} of ${rows.length} rows` : '',
    };
  }

  return { plot, fromResult };
})();
