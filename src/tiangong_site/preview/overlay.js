/* Preview only: shows the build's problems over the last good page, each as
   file:line:col, message and hint, and reloads the page when a newer build is served.
   Injected by `tiangong-site serve`, never built. */
(function () {
  "use strict";
  var ID = "tiangong-error-overlay";
  function show(problems) {
    var old = document.getElementById(ID);
    if (old) old.remove();
    if (!problems.length) return;
    var box = document.createElement("section");
    box.id = ID;
    box.setAttribute("role", "alert");
    box.setAttribute("aria-label", "Build problems");
    box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "background:#2b0d0d;color:#fff;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
      "padding:16px 20px;border-top:4px solid #ff5a4f;box-shadow:0 -8px 24px rgba(0,0,0,.35)";
    var head = document.createElement("p");
    head.style.cssText = "margin:0 0 8px;font-weight:700;font-family:system-ui,sans-serif;font-size:16px";
    head.textContent = problems.length + (problems.length === 1 ? " problem" : " problems") +
      " in the content. The page below is the last good build; fix the file and save to update it.";
    box.appendChild(head);
    var list = document.createElement("ol");
    list.style.cssText = "margin:0;padding-left:1.5em";
    problems.forEach(function (p) {
      var li = document.createElement("li");
      li.className = "tiangong-problem";
      li.style.margin = "0 0 6px";
      var where = document.createElement("strong");
      where.className = "tiangong-where";
      where.textContent = p.path + ":" + p.line + ":" + p.column;
      where.style.color = "#ffb4ae";
      li.appendChild(where);
      li.appendChild(document.createTextNode(": " + (p.severity === "warning" ? "warning: " : "") + p.message));
      if (p.hint) {
        var hint = document.createElement("span");
        hint.style.color = "#d6d6d6";
        hint.textContent = " (" + p.hint + ")";
        li.appendChild(hint);
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    document.body.appendChild(box);
  }
  // Never stale: the preview stamps each page with the build it came from
  // (<meta name="tiangong-build">). The page asks the status on load, when livereload's
  // socket (re)connects, on each reload message and once a second while it is visible;
  // it reloads when a newer build is done, and waits while one is under way. A reload
  // message sent while the page was still loading is thus never missed for good.
  var STATUS = "/__tiangong__/status.json", BUSY_MS = 20, IDLE_MS = 1000;  // a build is ~100 ms: ask often
  var stamp = document.querySelector('meta[name="tiangong-build"]');
  var built = stamp ? stamp.getAttribute("content") : null;
  var timer = null, asked = 0, leaving = false;
  function later(ms) {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(check, ms);
  }
  function check() {
    if (leaving) return;
    if (document.hidden) { later(IDLE_MS); return; }
    var mine = ++asked;  // only the latest answer counts: an earlier one may predate a build
    fetch(STATUS, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (mine !== asked || leaving) return;
        if (document.body) show(s.problems || []);
        if (s.busy) { later(BUSY_MS); return; }
        if (built !== null && String(s.build) !== built) {
          leaving = true;
          location.reload();
          return;
        }
        later(IDLE_MS);
      })
      .catch(function () { if (mine === asked) later(IDLE_MS); /* server gone: keep the page */ });
  }
  // livereload.js adds every window.LiveReloadPlugin* when it starts (this script runs
  // first); a plugin that handles `reload` replaces livereload's own reload of the page.
  // The message names the build now served ("tiangong-build:N", sent once the build is
  // done): a page behind it reloads at once, without asking the status first.
  function Fresh() {}
  Fresh.identifier = "tiangong-fresh";
  Fresh.version = "1.0";
  Fresh.prototype.reload = function (path) {
    var served = /^tiangong-build:(\d+)$/.exec(path || "");
    if (served && built !== null && Number(served[1]) > Number(built) && !leaving) {
      leaving = true;
      location.reload();
    } else {
      check();
    }
    return true;
  };
  window.LiveReloadPluginTiangongFresh = Fresh;
  document.addEventListener("LiveReloadConnect", check);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) check(); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", check);
  else check();
})();
