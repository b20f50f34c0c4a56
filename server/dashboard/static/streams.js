// The streams page: refresh each stream's row from GET /v1/streams.
'use strict';
(() => {
  const table = document.getElementById('streams');
  if (!table) return;
  const fields = {
    state: (s) => s.state,
    batches: (s) => s.batches,
    input_rows_per_second: (s) => nectar.rate(s.input_rows_per_second),
    processed_rows_per_second: (s) => nectar.rate(s.processed_rows_per_second),
    last_duration: (s) => (s.recent && s.recent.length ? nectar.duration(s.recent[s.recent.length - 1].duration_ms) : ''),
    files_pending: (s) => s.files_pending,
    oldest_pending: (s) => (s.files_pending ? nectar.duration((s.oldest_pending_ns || 0) / 1e6) : '–'),
    late_rows: (s) => s.late_rows,
    problem_files: (s) => `${s.skipped_files} / ${s.partial_files}`,
  };
  async function refresh() {
    try {
      const resp = await fetch('/v1/streams');
      if (!resp.ok) return;
      const { streams } = await resp.json();
      for (const s of streams) {
        const row = [...table.querySelectorAll('tr[data-stream]')].find((r) => r.dataset.stream === s.name);
        if (!row) continue;
        for (const [k, f] of Object.entries(fields)) {
          const cell = row.querySelector(`[data-field="${k}"]`);
          if (cell) cell.textContent = f(s);
        }
        const state = row.querySelector('[data-field="state"]');
        state.className = `state state-${s.state}`;
      }
    } catch { /* the server is away: try again */ }
  }
  setInterval(refresh, 2000);
})();
