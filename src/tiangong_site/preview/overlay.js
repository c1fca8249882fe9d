/* Preview only: shows the build's problems over the last good page, each as
   file:line:col, message and hint, and brings the page up to date when a newer build is
   served: it fetches the page and swaps its body in place (no navigation: the scroll
   position stays, the styles are not parsed again), or reloads it when the head's styles
   or scripts changed, or anything fails. Injected by `tiangong-site serve`, never built. */
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
  // it catches up when a newer build is done, and waits while one is under way. A reload
  // message sent while the page was still loading is thus never missed for good.
  var STATUS = "/__tiangong__/status.json", BUSY_MS = 20, IDLE_MS = 1000;  // a build is ~100 ms: ask often
  var stamp = document.querySelector('meta[name="tiangong-build"]');
  var built = stamp ? stamp.getAttribute("content") : null;
  var timer = null, asked = 0, leaving = false;
  function later(ms) {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(check, ms);
  }
  // A newer build: swap the page in place. The head as served (without the build's stamp
  // and the preview's scripts) is taken now, before the page's own scripts run (this is
  // the first deferred script), so a script they add later (plotly's) is no change.
  // Styles, scripts and the <html> element's attributes must be the same for a swap;
  // the title, meta tags and links that do not style the page are replaced in place.
  var OURS = /^\/(__tiangong__\/overlay\.js|livereload\.js)/;
  function stampOf(el) { return el.matches('meta[name="tiangong-build"]'); }
  function words(el) {
    var tag = el.tagName;
    if (tag === "TITLE" || tag === "META") return true;
    if (tag === "SCRIPT") return el.type === "application/ld+json";
    return tag === "LINK" && !/\b(stylesheet|preload|modulepreload)\b/i.test(el.rel);
  }
  function headOf(doc) {
    var fixed = [], said = [];
    Array.prototype.forEach.call(doc.head.children, function (el) {
      var ours = el.tagName === "SCRIPT" && OURS.test(el.getAttribute("src") || "");
      if (ours || stampOf(el)) return;
      (words(el) ? said : fixed).push(el.outerHTML);
    });
    var html = Array.prototype.map.call(doc.documentElement.attributes, function (a) {
      return a.name + "=" + a.value;
    });
    return {fixed: fixed.join("\n") + "\n" + html.join(" "), words: said.join("\n")};
  }
  var served = headOf(document), wanted = 0, swapping = false;
  function reload() {
    leaving = true;
    location.reload();
  }
  // Marks on the page's performance timeline (tiangong:told, asked, fetched, swapped,
  // drawn): the browser's performance panel shows where the time of an update goes.
  function mark(name) {
    if (window.performance && performance.mark) performance.mark("tiangong:" + name);
  }
  function refresh(build) {
    wanted = Math.max(wanted, build);
    if (swapping || leaving) return;
    swapping = true;
    mark("asked");
    fetch(location.href, { cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (text) {
        mark("fetched");
        var doc = new DOMParser().parseFromString(text, "text/html");
        var stamp = doc.querySelector('meta[name="tiangong-build"]'), head = headOf(doc);
        if (!stamp || head.fixed !== served.fixed) throw new Error("styles or scripts changed");
        if (head.words !== served.words) replaceWords(doc);
        swapBody(document.adoptNode(doc.body));
        mark("swapped");
        requestAnimationFrame(function () { setTimeout(mark, 0, "drawn"); });
        served = head;
        built = stamp.getAttribute("content");
        var live = document.querySelector('meta[name="tiangong-build"]');
        if (live) live.setAttribute("content", built);
        swapping = false;
        if (Number(built) < wanted) refresh(wanted);
        else check();  // the problems (warnings) of this build, and whether one is under way
      })
      .catch(reload);  // any surprise: the plain way, a new page
  }
  function replaceWords(doc) {
    var head = document.head;
    Array.prototype.slice.call(head.children).forEach(function (el) {
      if (words(el) && !stampOf(el)) el.remove();
    });
    var first = head.firstChild;
    Array.prototype.forEach.call(doc.head.children, function (el) {
      if (words(el) && !stampOf(el)) head.insertBefore(document.importNode(el, true), first);
    });
  }
  // -- the body: only what changed ------------------------------------------------------
  // A patch compares the body as it was served (`pristine`, copied before the page's own
  // deferred scripts run) with the new one, and changes in the live page only the nodes
  // that differ: a text is rewritten, an attribute set, and a node whose structure changed
  // is replaced. The browser then lays out a paragraph, not the page, and what scripts did
  // to the rest (an interactive chart drawn, a button shown) stays. When an element was
  // put in, the body's scripts run again, so they bind it: they must bind each element
  // once (charts.js marks the charts it set up). When the body's own children differ (the
  // error panel, say), the whole body is replaced and its scripts run as on a new page.
  var pristine = document.body ? document.body.cloneNode(true) : null;
  var slice = function (list) { return Array.prototype.slice.call(list); };
  function fresh(old) {  // a script parsed elsewhere never runs: a new one made like it does
    var s = document.createElement("script");
    slice(old.attributes).forEach(function (a) { s.setAttribute(a.name, a.value); });
    s.text = old.text;
    s.async = false;  // in their order, as the page's own scripts ran
    return s;
  }
  function rerun(root) {
    slice(root.querySelectorAll("script")).forEach(function (s) { s.replaceWith(fresh(s)); });
  }
  function attributes(live, old, next) {
    slice(old.attributes).forEach(function (a) {
      if (!next.hasAttribute(a.name)) live.removeAttribute(a.name);
    });
    slice(next.attributes).forEach(function (a) {
      if (old.getAttribute(a.name) !== a.value) live.setAttribute(a.name, a.value);
    });
  }
  // Brings `live`'s children from `old` to `next`; whether an element was put in.
  function patch(live, old, next) {
    var l = slice(live.childNodes), o = slice(old.childNodes), n = slice(next.childNodes);
    if (l.length !== o.length || o.length !== n.length) throw new Error("not the page served");
    var added = false;
    for (var i = 0; i < n.length; i++) {
      if (o[i].isEqualNode(n[i])) continue;
      var same = o[i].nodeName === n[i].nodeName && l[i].nodeName === n[i].nodeName;
      if (same && n[i].nodeType !== 1) {
        l[i].nodeValue = n[i].nodeValue;  // a text or a comment
      } else if (same && n[i].nodeName !== "SCRIPT" &&
                 l[i].childNodes.length === o[i].childNodes.length &&
                 o[i].childNodes.length === n[i].childNodes.length) {
        attributes(l[i], o[i], n[i]);
        added = patch(l[i], o[i], n[i]) || added;
      } else {
        l[i].replaceWith(n[i]);
        added = added || n[i].nodeType === 1;
      }
    }
    return added;
  }
  function swapBody(body) {
    var next = body.cloneNode(true), x = window.scrollX, y = window.scrollY;
    show([]);  // the error panel is no part of the page served; check() shows it again
    try {
      if (pristine === null) throw new Error("no body to compare with");
      attributes(document.body, pristine, body);
      if (patch(document.body, pristine, body)) rerun(document.body);
    } catch (e) {  // the whole body, its scripts run as on a new page
      rerun(body);
      document.documentElement.replaceChild(body, document.body);
    }
    pristine = next;
    window.scrollTo(x, y);
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
          refresh(Number(s.build));
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
    mark("told");
    var served = /^tiangong-build:(\d+)$/.exec(path || "");
    if (served && built !== null && Number(served[1]) > Number(built) && !leaving) {
      refresh(Number(served[1]));
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
