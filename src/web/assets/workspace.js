// The planner workspace's one script (served by staffcast: pages allow no
// inline script). Each part starts only when its page has the element.
"use strict";
(function () {
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // Forecast page: history and forecast on one time axis, p10-p90 band,
  // special days as shaded columns, zoom buttons from 18 months to a day.
  function forecastChart() {
    var box = document.getElementById("forecast-chart");
    var d = data("forecast-data");
    if (!box || !d || typeof uPlot === "undefined") { return; }
    var started = performance.now();
    var series = [{},
      { label: "history / actual", stroke: "#1d2733", width: 1, spanGaps: false },
      { label: "forecast p50", stroke: "#1f6feb", width: 1.5 },
      { label: "p10", stroke: "rgba(31,111,235,0.5)", width: 0.5 },
      { label: "p90", stroke: "rgba(31,111,235,0.5)", width: 0.5 }];
    var columns = [d.x, d.history, d.p50, d.p10, d.p90];
    if (d.adjusted) {
      series.push({ label: "adjusted", stroke: "#e36209", width: 1.5 });
      columns.push(d.adjusted);
    }
    var marks = {
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          ctx.fillStyle = "rgba(209, 36, 47, 0.15)";
          d.special.forEach(function (s) {
            var x0 = u.valToPos(s.t, "x", true);
            var x1 = u.valToPos(s.t + 86400, "x", true);
            if (x1 > u.bbox.left && x0 < u.bbox.left + u.bbox.width) {
              ctx.fillRect(x0, u.bbox.top, Math.max(x1 - x0, 2), u.bbox.height);
            }
          });
          ctx.restore();
        }]
      }
    };
    var width = Math.max(600, box.clientWidth - 20);
    var plot = new uPlot({
      width: width,
      height: 360,
      series: series,
      bands: [{ series: [4, 3], fill: "rgba(31, 111, 235, 0.18)" }],
      scales: { x: { time: true } },
      axes: [{}, { label: "contacts per interval" }],
      plugins: [marks]
    }, columns, box);
    window.staffcastPlot = plot;
    // Drawn once the frame after it is painted: that is when a reader sees it.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        box.setAttribute("data-draw-ms", String(Math.round(performance.now() - started)));
        box.setAttribute("data-drawn", "true");
      });
    });
    function zoomTo(days) {
      var span = days * 86400;
      var horizon = d.to - d.from;
      var min = span >= horizon ? d.to - span : d.from;
      plot.setScale("x", { min: min, max: min + span });
      box.setAttribute("data-zoom-days", String(days));
    }
    // First view: the four weeks up to the forecast's end.
    zoomTo(28);
    var zoom = document.getElementById("zoom");
    if (zoom) {
      zoom.addEventListener("click", function (e) {
        var days = Number(e.target.getAttribute("data-days"));
        if (days) { zoomTo(days); }
      });
    }
  }

  // Schedule job page: poll the job's status, move the progress bar, show
  // the links and the publish button once it is done.
  function jobProgress() {
    var job = document.getElementById("job");
    if (!job) { return; }
    var id = job.getAttribute("data-id");
    var bar = document.getElementById("job-progress");
    function text(id, value) {
      var el = document.getElementById(id);
      if (el) { el.textContent = value; }
    }
    function show(id, on) {
      var el = document.getElementById(id);
      if (el) { el.hidden = !on; }
    }
    // The run's warnings as list items (text only).
    function warnings(list) {
      var ul = document.getElementById("job-warnings");
      if (!ul) { return; }
      while (ul.firstChild) { ul.removeChild(ul.firstChild); }
      list.forEach(function (w) {
        var li = document.createElement("li");
        li.textContent = w;
        ul.appendChild(li);
      });
      ul.hidden = list.length === 0;
    }
    function poll() {
      fetch("/schedules/" + id + "/status", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (run) {
          bar.value = run.progress_percent;
          text("job-percent", Math.round(run.progress_percent) + " %");
          text("job-status", run.status);
          text("job-hours", run.rostered_hours.toFixed(1));
          text("job-coverage", run.coverage_percent.toFixed(1) + " %");
          job.setAttribute("data-status", run.status);
          var finished = ["done", "failed", "cancelled"].indexOf(run.status) >= 0;
          show("cancel-job", !finished);
          show("publish-job", run.status === "done");
          show("job-links", run.status === "done");
          warnings(run.warnings || []);
          if (!finished) { setTimeout(poll, 500); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    }
    var status = job.getAttribute("data-status");
    if (["done", "failed", "cancelled"].indexOf(status) < 0) { poll(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    forecastChart();
    jobProgress();
  });
})();
