// A source's page: count its rows when asked (counting reads every file).
'use strict';
(() => {
  const button = document.getElementById('count');
  const out = document.getElementById('row-count');
  if (!button) return;
  button.addEventListener('click', async () => {
    button.disabled = true;
    out.textContent = 'counting…';
    try {
      let n = null;
      await nectar.runQuery(button.dataset.sql, { onRows: (rows) => { n = rows[0][0]; } });
      out.textContent = nectar.count(n);
    } catch (e) {
      out.textContent = e.message;
      out.className = 'error-text';
    } finally {
      button.disabled = false;
    }
  });
})();
