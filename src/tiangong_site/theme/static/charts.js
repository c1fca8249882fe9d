/* Charts are drawn at build time: each is an inline SVG, there at first paint. This loader
   only waits for a reader to ask for more (a tap or click on a chart, the pointer resting on
   it, or its "Explore the data" button), and then fetches plotly.js, once, and puts the
   interactive chart in the drawing's place, in the same box. It never fetches anything
   during page load. Interactive charts never capture scrolling or zoom: no drag, fixed axes,
   no double-click, no scroll zoom; a tap shows the tooltip at the point tapped. Colours come
   from the page's CSS custom properties, as the SVG's do, so light and dark mode match.
   It may run again on the same page (the preview does, after putting new parts of a page
   in place): it sets up only the charts it has not set up, and listens to the window once. */
(function () {
  "use strict";
  var script = document.currentScript;
  var plotlyUrl = script && script.getAttribute("data-plotly");
  var localeUrl = script && script.getAttribute("data-locale");
  var NARROW = "(max-width: 480px)";
  var INTENT_MS = 250;
  var shared = window.tiangongCharts = window.tiangongCharts || {loading: null, charts: []};
  var charts = shared.charts;  // the same list every run: the window's listeners read it
  for (var gone = charts.length - 1; gone >= 0; gone--) {
    if (!charts[gone].el.isConnected) charts.splice(gone, 1);  // taken off the page
  }

  function load(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function loadPlotly() {
    if (!shared.loading) {
      shared.loading = load(plotlyUrl).then(function () {
        return localeUrl ? load(localeUrl) : null;
      }).then(function () { return window.Plotly; });
    }
    return shared.loading;
  }

  function narrow() { return !!(window.matchMedia && window.matchMedia(NARROW).matches); }

  // A copy of a figure part with every house colour replaced by its CSS custom property's value.
  function themed(value, colors, css) {
    if (typeof value === "string") {
      var name = colors[value.toLowerCase()];
      return name ? (css.getPropertyValue(name).trim() || value) : value;
    }
    if (Array.isArray(value)) return value.map(function (v) { return themed(v, colors, css); });
    if (value && typeof value === "object") {
      var out = {};
      for (var k in value) if (Object.prototype.hasOwnProperty.call(value, k)) out[k] = themed(value[k], colors, css);
      return out;
    }
    return value;
  }

  function figureFor(chart) {
    var fig = chart.figure, part = chart.narrow && fig.narrow ? fig.narrow : fig;
    var css = getComputedStyle(chart.el);
    var data = themed(part.data, fig.colors || {}, css);
    var layout = themed(part.layout, fig.colors || {}, css);
    layout.autosize = true;
    delete layout.width;
    layout.height = chart.el.clientHeight;
    layout.dragmode = false;
    layout.hovermode = "closest";
    layout.hoverlabel = {
      bgcolor: css.getPropertyValue("--bg").trim() || "#fff",
      bordercolor: css.getPropertyValue("--chart-axis").trim() || "#8a8a8a",
      font: {color: css.getPropertyValue("--chart-ink").trim() || "#1f1f1f"}
    };
    for (var key in layout) if (/^[xy]axis\d*$/.test(key)) layout[key].fixedrange = true;
    return {data: data, layout: layout};
  }

  var CONFIG = {
    responsive: true, displayModeBar: false, displaylogo: false, doubleClick: false,
    scrollZoom: false, showTips: false, showAxisDragHandles: false
  };

  // The box the drawing showing now takes, from its width and height attributes.
  function fit(chart) {
    var svg = chart.el.querySelector(chart.narrow ? ".chart-svg-narrow" : ".chart-svg-wide");
    var w = svg && +svg.getAttribute("width"), h = svg && +svg.getAttribute("height");
    if (w && h) chart.el.style.height = (chart.el.clientWidth * h / w).toFixed(1) + "px";
  }

  function tooltipAt(target, point) {
    var drag = target.querySelector(".nsewdrag");
    if (!drag || !point) return;
    drag.dispatchEvent(new MouseEvent("mousemove", {clientX: point.x, clientY: point.y, bubbles: true}));
  }

  function activate(chart, point) {
    if (chart.state) return;
    chart.state = "loading";
    var el = chart.el;
    el.style.height = el.getBoundingClientRect().height + "px";  // keep the box: no layout shift
    el.setAttribute("data-state", "loading");
    Promise.all([loadPlotly(), fetch(el.getAttribute("data-figure")).then(function (r) {
      if (!r.ok) throw new Error(r.url + ": HTTP " + r.status);
      return r.json();
    })]).then(function (res) {
      chart.figure = res[1];
      chart.narrow = narrow();
      var target = document.createElement("div");
      target.className = "chart-canvas";
      target.setAttribute("aria-hidden", "true");
      el.appendChild(target);
      chart.target = target;
      var fig = figureFor(chart);
      chart.config = Object.assign({}, CONFIG);  // the locale script sets its own locale
      return res[0].newPlot(target, fig.data, fig.layout, chart.config).then(function () {
        chart.state = "drawn";
        el.setAttribute("data-state", "drawn");
        if (chart.button && document.activeElement !== chart.button) chart.button.hidden = true;
        tooltipAt(target, point);
      });
    }).catch(function (err) {
      chart.state = "failed";
      el.setAttribute("data-state", "failed");  // the drawing stays in place
      el.style.height = "";
      if (window.console) console.warn("interactive chart not drawn: " + err.message);
    });
  }

  function redraw() {
    charts.forEach(function (chart) {
      if (chart.state !== "drawn") return;
      chart.narrow = narrow();
      fit(chart);
      var fig = figureFor(chart);
      window.Plotly.react(chart.target, fig.data, fig.layout, chart.config);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".chart-plot[data-figure]"), function (el) {
    if (el.tiangongChart) return;  // set up by an earlier run
    var chart = el.tiangongChart = {el: el, state: null, timer: null};
    var figure = el.closest("figure");
    chart.button = figure && figure.querySelector(".chart-explore");
    charts.push(chart);
    el.addEventListener("click", function (e) { activate(chart, {x: e.clientX, y: e.clientY}); });
    // Hover intent: a mouse that moved onto the chart and stays. A chart scrolled under a
    // still pointer is no request (the browser's moves then carry no movement), nor is a
    // pointer that scrolls on past it.
    el.addEventListener("pointermove", function (e) {
      if (e.pointerType !== "mouse" || (!e.movementX && !e.movementY) || chart.timer) return;
      chart.timer = setTimeout(function () { chart.timer = null; activate(chart); }, INTENT_MS);
    });
    el.addEventListener("pointerleave", function () { clearTimeout(chart.timer); chart.timer = null; });
    if (chart.button) {
      chart.button.hidden = false;
      chart.button.addEventListener("focus", function () { activate(chart); });
      chart.button.addEventListener("click", function () { activate(chart); });
      chart.button.addEventListener("blur", function () { if (chart.state === "drawn") chart.button.hidden = true; });
    }
  });

  if (shared.listening) return;
  shared.listening = true;
  window.addEventListener("scroll", function () {
    charts.forEach(function (chart) { clearTimeout(chart.timer); chart.timer = null; });
  }, {passive: true});

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(redraw, 150);
  });
  if (window.matchMedia) {
    var scheme = window.matchMedia("(prefers-color-scheme: dark)");
    if (scheme.addEventListener) scheme.addEventListener("change", redraw);
  }
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (chart) { if (chart.state === "drawn") chart.el.style.height = ""; });
  });
  window.addEventListener("afterprint", redraw);
})();
