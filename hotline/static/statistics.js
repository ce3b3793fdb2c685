/* The statistics page's charts, drawn from the tables beside them (so the two always agree):
   each <figure class="chart"> holds a table; its columns marked data-series become datasets,
   its row headers the labels, and each cell's data-value the number. No inline script or
   style anywhere (the CSP forbids both); Chart.js is served by the app itself. */
"use strict";

(function () {
  var PALETTE = ["#2d6a8a", "#e07b39", "#6a9a3a", "#b42318", "#7a5c99", "#c9a227", "#5f6b76"];

  function tableData(table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var rows = Array.prototype.slice.call(table.tBodies[0].rows).filter(function (row) {
      return row.cells.length === heads.length;
    });
    var labels = rows.map(function (row) { return row.cells[0].textContent.trim(); });
    var datasets = [];
    heads.forEach(function (head, column) {
      if (!head.hasAttribute("data-series")) { return; }
      datasets.push({
        label: head.textContent.trim(),
        data: rows.map(function (row) { return Number(row.cells[column].dataset.value || 0); })
      });
    });
    return { labels: labels, datasets: datasets };
  }

  function draw(figure) {
    var table = figure.querySelector("table");
    var kind = figure.dataset.chart;
    var data = tableData(table);
    data.datasets.forEach(function (set, index) {
      set.backgroundColor = kind === "doughnut" ? PALETTE : PALETTE[index % PALETTE.length];
    });
    var box = document.createElement("div");
    box.className = "chart-box";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    var caption = figure.querySelector("figcaption");
    canvas.setAttribute("aria-label", caption ? caption.textContent.trim() : "");
    box.appendChild(canvas);
    figure.insertBefore(box, caption ? caption.nextSibling : figure.firstChild);
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: kind === "doughnut" || data.datasets.length > 1 } }
    };
    if (kind === "bar") {
      options.scales = { x: { beginAtZero: true }, y: { beginAtZero: true, ticks: { precision: 0 } } };
      if (figure.hasAttribute("data-horizontal")) { options.indexAxis = "y"; }
    }
    return new window.Chart(canvas, { type: kind, data: data, options: options });
  }

  function drawAll() {
    if (!window.Chart) { return; }  // the tables alone still tell everything
    Array.prototype.forEach.call(document.querySelectorAll("figure.chart"), draw);
    document.documentElement.dataset.charts = "drawn";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
