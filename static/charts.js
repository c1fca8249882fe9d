/* Draws each chart when it nears the viewport. plotly.js is loaded once, on first need.
   Text colours and grid lines follow the page's CSS variables, so charts match light
   and dark mode. Without JavaScript the page still shows each chart's table. */
(function () {
  "use strict";
  var script = document.currentScript;
  var plotlyUrl = script && script.getAttribute("data-plotly");
  var loading = null;
  var drawn = [];

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = plotlyUrl;
        s.async = true;
        s.onload = function () { resolve(window.Plotly); };
        s.onerror = function () { reject(new Error("could not load " + plotlyUrl)); };
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  function theme() {
    var css = getComputedStyle(document.documentElement);
    var fg = css.getPropertyValue("--fg").trim() || "#1f1f1f";
    var grid = css.getPropertyValue("--grid").trim() || "#e3e3e3";
    var axis = css.getPropertyValue("--muted").trim() || "#8a8a8a";
    var bg = css.getPropertyValue("--bg").trim() || "#fff";
    return {
      "font.color": fg,
      "xaxis.gridcolor": grid, "yaxis.gridcolor": grid,
      "xaxis.linecolor": axis, "xaxis.tickcolor": axis,
      "hoverlabel.bgcolor": bg, "hoverlabel.font.color": fg, "hoverlabel.bordercolor": axis
    };
  }

  function draw(el) {
    var url = el.getAttribute("data-figure");
    el.setAttribute("data-state", "loading");
    Promise.all([loadPlotly(), fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    })]).then(function (res) {
      var Plotly = res[0], fig = res[1];
      var layout = fig.layout || {};
      layout.autosize = true;
      var target = document.createElement("div");
      target.className = "chart-canvas";
      target.setAttribute("aria-hidden", "true");
      el.textContent = "";
      el.appendChild(target);
      return Plotly.newPlot(target, fig.data, layout, {
        responsive: true, displaylogo: false, displayModeBar: false
      }).then(function () {
        Plotly.relayout(target, theme());
        drawn.push(target);
        el.setAttribute("data-state", "drawn");
      });
    }).catch(function (err) {
      el.setAttribute("data-state", "failed");
      if (window.console) console.warn("chart not drawn: " + err.message);
    });
  }

  var plots = Array.prototype.slice.call(document.querySelectorAll(".chart-plot[data-figure]"));
  if (!plots.length) return;
  if ("IntersectionObserver" in window) {
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { io.unobserve(entry.target); draw(entry.target); }
      });
    }, { rootMargin: "400px 0px" });
    plots.forEach(function (el) { io.observe(el); });
  } else {
    plots.forEach(draw);
  }

  if (window.matchMedia) {
    var mq = window.matchMedia("(prefers-color-scheme: dark)");
    var onChange = function () { drawn.forEach(function (t) { window.Plotly.relayout(t, theme()); }); };
    if (mq.addEventListener) mq.addEventListener("change", onChange);
  }
})();
