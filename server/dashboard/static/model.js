// A model's page: draw each metric's scores over time from the numbers
// the server put in the page (data-chart), with the dashboard's chart.
'use strict';
for (const el of document.querySelectorAll('[data-chart]')) {
  nectarChart.plot(el, JSON.parse(el.dataset.chart));
}
