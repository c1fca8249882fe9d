/* On the site's root: go to the edition in the reader's preferred language (the first of
   the browser's languages that the site has), else the first edition listed. A reader who
   picks an edition by hand keeps that choice for next time. */
(function () {
  "use strict";
  var links = Array.prototype.slice.call(document.querySelectorAll("a[data-lang]"));
  if (!links.length) return;
  var KEY = "tiangong-language";
  links.forEach(function (a) {
    a.addEventListener("click", function () {
      try { localStorage.setItem(KEY, a.getAttribute("data-lang")); } catch (e) { /* private mode */ }
    });
  });
  var chosen = null;
  try { chosen = localStorage.getItem(KEY); } catch (e) { /* private mode */ }
  var wanted = chosen ? [chosen] : (navigator.languages || [navigator.language || ""]);
  for (var i = 0; i < wanted.length; i++) {
    var code = String(wanted[i]).toLowerCase().split("-")[0];
    for (var j = 0; j < links.length; j++) {
      if (links[j].getAttribute("data-lang") === code) { window.location.replace(links[j].href); return; }
    }
  }
  window.location.replace(links[0].href);
})();
