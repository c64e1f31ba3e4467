// Reports page charts: Chart.js (served from node_modules as /assets/chart.umd.min.js, loaded
// before this module) draws the figures the server rendered into #report's data attribute.
// Every chart has the same figures in a table next to it.
const Chart = globalThis.Chart;
const root = document.getElementById('report');
const data = root ? JSON.parse(root.dataset.report || '{}') : null;

const PALETTE = ['#1f5fbf', '#d9822b', '#2f9e6b', '#b83280', '#6b46c1', '#c53030', '#2c7a7b', '#975a16', '#4a5568', '#00838f'];
const SLA_COLORS = { met: '#2f9e6b', breached: '#c53030', paused: '#d9822b', running: '#8a94a3' };
const charts = {};

function base(extra = {}) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
    ...extra,
  };
}

function draw(id, config) {
  const el = document.getElementById(id);
  if (!el || !Chart) return;
  charts[id]?.destroy();
  charts[id] = new Chart(el, config);
  el.dataset.drawn = '1';
}

function volume(split) {
  const keys = data.keys[split] || [];
  const field = split === 'channel' ? 'byChannel' : split === 'category' ? 'byCategory' : 'byPriority';
  draw('chart-volume', {
    type: 'bar',
    data: {
      labels: data.perDay.map((d) => d.day.slice(5)),
      datasets: keys.map((k, i) => ({ label: k, data: data.perDay.map((d) => d[field][k] || 0), backgroundColor: PALETTE[i % PALETTE.length], stack: 'v' })),
    },
    options: base({ scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }),
  });
}

if (data && Chart) {
  const L = data.labels;
  volume('channel');
  document.getElementById('r-split')?.addEventListener('change', (e) => volume(e.target.value));

  const line = (label, values, color, dash) => ({ label, data: values, borderColor: color, backgroundColor: color, borderDash: dash ? [6, 4] : [], spanGaps: true, tension: 0.2, pointRadius: 2 });
  draw('chart-times', {
    type: 'line',
    data: {
      labels: data.perDay.map((d) => d.day.slice(5)),
      datasets: [
        line(L.fr_median, data.perDay.map((d) => d.fr[0]), PALETTE[0], false),
        line(L.fr_p90, data.perDay.map((d) => d.fr[1]), PALETTE[0], true),
        line(L.res_median, data.perDay.map((d) => d.res[0]), PALETTE[1], false),
        line(L.res_p90, data.perDay.map((d) => d.res[1]), PALETTE[1], true),
      ],
    },
    options: base({ scales: { y: { beginAtZero: true, title: { display: true, text: 'min' } } } }),
  });

  draw('chart-sla', {
    type: 'bar',
    data: {
      labels: data.sla.map((r) => r.priority),
      datasets: ['met', 'breached', 'paused', 'running'].map((k) => ({ label: L[k], data: data.sla.map((r) => r[k]), backgroundColor: SLA_COLORS[k], stack: 's' })),
    },
    options: base({ indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } }),
  });

  const tiers = Object.keys(data.escalations).sort();
  draw('chart-esc', {
    type: 'bar',
    data: { labels: tiers.map((t) => `${L.tier} ${t}`), datasets: [{ label: L.tickets, data: tiers.map((t) => data.escalations[t]), backgroundColor: PALETTE[4] }] },
    options: base({ plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }),
  });

  draw('chart-csat', {
    type: 'bar',
    data: { labels: ['1', '2', '3', '4', '5'], datasets: [{ label: L.ratings, data: ['1', '2', '3', '4', '5'].map((k) => data.csat[k]), backgroundColor: ['#c53030', '#dd6b20', '#d69e2e', '#68a357', '#2f9e6b'] }] },
    options: base({ plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }),
  });
  document.body.dataset.chartsReady = String(Object.keys(charts).length);
}
