/* Preview only: shows the build's problems over the last good page, each as
   file:line:col, message and hint. Injected by `tiangong-site serve`, never built. */
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
  function check() {
    fetch("/__tiangong__/status.json", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) { show(s.problems || []); })
      .catch(function () { /* server gone: leave the page as it is */ });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", check);
  else check();
})();
