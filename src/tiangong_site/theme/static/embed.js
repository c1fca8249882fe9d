/* The chart page inside a host's iframe. It is light unless the host asks (?theme=dark, or
   ?theme=auto for the reader's own setting), and it tells the host page its height, now and
   whenever it changes (a table opened, a narrower column), so the listener in the embed code
   can fit the iframe to it. Without that listener the iframe keeps the height it was given. */
(function () {
  "use strict";
  var theme = /[?&]theme=(dark|auto)(?:&|$)/.exec(location.search);
  if (theme) document.documentElement.setAttribute("data-theme", theme[1]);
  if (window.parent === window) return;
  var last = 0;
  function post() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({type: "tiangong-site:height", height: height}, "*");
  }
  if ("ResizeObserver" in window) new ResizeObserver(post).observe(document.documentElement);
  window.addEventListener("load", post);
  post();
})();
