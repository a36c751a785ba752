// memq operators' dashboard: polls /dashboard/data and redraws. Everything from the server is
// written with textContent (a failure reason or a user id is data, never markup).
"use strict";

(() => {
  const TOKEN_KEY = "memq-operator-token";
  const COLORS = { ingest: "#2e90fa", store: "#f79009", query: "#7a5af8", batches: "#2e90fa",
                   completed: "#12b76a", failed: "#f04438", rejected: "#98a2b3",
                   p50: "#53b1fd", p95: "#2e90fa", p99: "#1849a9" };
  const STAGES = ["extract", "embed", "resolve", "write"];
  const $ = (id) => document.getElementById(id);
  let charts = null;

  // The token comes once in the fragment (never sent to the server), then lives in this tab only.
  const fromHash = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fromHash[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }

  function authHeaders() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return token ? { Authorization: "Bearer " + token } : {};
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: authHeaders(), cache: "no-store" });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const err = new Error(body.message || "HTTP " + response.status);
      err.status = response.status;
      throw err;
    }
    return body;
  }

  function seconds(value) {
    if (value === null || value === undefined) return "–";
    if (value < 1) return Math.round(value * 1000) + " ms";
    if (value < 120) return value.toFixed(2) + " s";
    return (value / 60).toFixed(1) + " min";
  }

  const clock = (epochSeconds) => new Date(epochSeconds * 1000).toLocaleTimeString([], { hour12: false });
  const hhmm = (epochSeconds) => clock(epochSeconds).slice(0, 5);

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text === null || text === undefined ? "–" : String(text);
    if (className) td.className = className;
    return td;
  }

  function fillTable(tbody, rows, columns, emptyText, decorate) {
    tbody.replaceChildren();
    if (!rows.length) {
      const td = tbody.insertRow().insertCell();
      td.colSpan = columns;
      td.className = "empty";
      td.textContent = emptyText;
      return;
    }
    rows.forEach((item) => decorate(tbody.insertRow(), item));
  }

  function makeCharts() {
    // A fresh options object per chart: Chart.js resolves defaults into it (a bar's axis offset).
    const base = () => ({ animation: false, responsive: true, maintainAspectRatio: false,
                          plugins: { legend: { position: "bottom" } },
                          scales: { x: { ticks: { maxTicksLimit: 8, autoSkip: true } }, y: { beginAtZero: true } } });
    const line = (label, key) => ({ label, data: [], borderColor: COLORS[key], backgroundColor: COLORS[key],
                                    pointRadius: 0, borderWidth: 2, tension: 0.2 });
    const bar = (label, key) => ({ label, data: [], backgroundColor: COLORS[key] });
    return {
      depth: new Chart($("chart-depth"), { type: "line", options: base(),
        data: { labels: [], datasets: [line("ingest", "ingest"), line("store", "store"), line("query", "query")] } }),
      throughput: new Chart($("chart-throughput"), { type: "bar", options: base(),
        data: { labels: [], datasets: [bar("accepted", "batches"), bar("completed", "completed"),
                                       bar("failed", "failed"), bar("rejected", "rejected")] } }),
      latency: new Chart($("chart-latency"), { type: "bar", options: base(),
        data: { labels: STAGES, datasets: [bar("p50", "p50"), bar("p95", "p95"), bar("p99", "p99")] } }),
    };
  }

  function drawCharts(data) {
    charts = charts || makeCharts();
    const depth = data.depth_history;
    charts.depth.data.labels = depth.map((s) => clock(s.t));
    ["ingest", "store", "query"].forEach((q, i) => { charts.depth.data.datasets[i].data = depth.map((s) => s[q]); });
    const minutes = data.throughput;
    charts.throughput.data.labels = minutes.map((m) => hhmm(m.t));
    ["batches", "completed", "failed", "rejected"].forEach((k, i) => {
      charts.throughput.data.datasets[i].data = minutes.map((m) => m[k]);
    });
    ["p50", "p95", "p99"].forEach((p, i) => {
      charts.latency.data.datasets[i].data = STAGES.map((s) => {
        const v = data.stage_latency[s][p];
        return v === null ? null : Math.round(v * 10000) / 10;
      });
    });
    Object.values(charts).forEach((chart) => chart.update("none"));
  }

  function drawTiles(data) {
    const w = data.workers;
    $("workers-total").textContent = w.ingest + w.store + w.all;
    $("workers-detail").textContent = `ingest ${w.ingest} · store ${w.store}` + (w.all ? ` · all ${w.all}` : "");
    for (const [queue, stats] of Object.entries(data.queues)) {
      $("depth-" + queue).textContent = stats.depth;
      $("age-" + queue).textContent = stats.depth ? seconds(stats.oldest_age_seconds) : "–";
    }
    for (const key of ["batches", "messages", "completed", "failed"]) {
      $(key + "-1h").textContent = data.last_hour[key];
    }
    $("searchable-p50").textContent = seconds(data.accept_to_searchable.p50);
    $("searchable-p95").textContent = seconds(data.accept_to_searchable.p95);
    $("searchable-n").textContent = data.accept_to_searchable.n;
  }

  function drawTables(data) {
    fillTable($("latency"), STAGES, 5, "", (row, stage) => {
      const p = data.stage_latency[stage];
      row.dataset.stage = stage;
      cell(row, stage);
      cell(row, p.n, "num runs");
      cell(row, seconds(p.p50), "num");
      cell(row, seconds(p.p95), "num");
      cell(row, seconds(p.p99), "num");
    });
    fillTable($("failed"), data.failed_tasks, 7, "No failed tasks.", (row, t) => {
      row.dataset.taskId = t.task_id;
      cell(row, new Date(t.failed_at * 1000).toLocaleString());
      const link = document.createElement("a");
      link.href = "/dashboard?task=" + encodeURIComponent(t.task_id);
      link.textContent = t.task_id;
      row.insertCell().append(link);
      cell(row, t.project);
      cell(row, t.user_id);
      cell(row, t.stage);
      cell(row, t.code, "code");
      cell(row, t.reason, "reason");
    });
    fillTable($("rejections"), data.quota_rejections, 5, "No rejections.", (row, r) => {
      row.dataset.keyId = r.key_id;
      row.dataset.code = r.code;
      cell(row, r.prefix + "… (" + r.key_id + ")");
      cell(row, r.project);
      cell(row, r.code);
      cell(row, r.last_hour, "num last-hour");
      cell(row, r.total, "num total");
    });
  }

  async function drawTask(taskId) {
    const t = await getJSON("/dashboard/tasks/" + encodeURIComponent(taskId));
    $("task-panel").hidden = false;
    $("task-id").textContent = t.task_id;
    const error = t.error ? ` · error ${t.error.code}: ${t.error.message}` : "";
    $("task-summary").textContent = `${t.status} · project ${t.project} · user ${t.user_id} · ` +
      `${t.messages} messages · accepted ${new Date(t.created_at).toLocaleString()}${error}`;
    const stages = Object.entries(t.stages);
    fillTable($("task-stages"), stages, 7, "No stage has run yet.", (row, [name, s]) => {
      row.dataset.stage = name;
      cell(row, name);
      cell(row, s.status);
      cell(row, s.start ? clock(s.start / 1000) : null);
      cell(row, s.end ? clock(s.end / 1000) : null);
      cell(row, s.start && s.end ? seconds((s.end - s.start) / 1000) : null, "num");
      cell(row, s.attempts, "num attempts");
      cell(row, s.last_error, "reason");
    });
  }

  async function refresh() {
    let wait = 2;
    try {
      const data = await getJSON("/dashboard/data");
      wait = data.refresh_seconds;
      $("auth-help").hidden = true;
      drawTiles(data);
      drawCharts(data);
      drawTables(data);
      const taskId = new URLSearchParams(location.search).get("task");
      if (taskId) await drawTask(taskId);
      $("status").textContent = "live";
      $("updated").textContent = "updated " + clock(data.now);
      document.body.dataset.state = "ok";
      document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
    } catch (err) {
      document.body.dataset.state = "error";
      $("status").textContent = err.message;
      if (err.status === 401) {
        $("auth-help").hidden = false;
        $("auth-message").textContent = err.message;
        wait = 15;
      }
    }
    setTimeout(refresh, wait * 1000);
  }

  refresh();
})();
