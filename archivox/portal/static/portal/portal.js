/* Small behaviours of every public page; each page works without them. CSP: no inline code. */
(function () {
  "use strict";
  // A page answering a form (a booking made) names its own GET address: put it in the
  // address bar, so that reloading shows the page again instead of sending the form twice.
  var replace = document.querySelector('meta[name="archivox-replace-url"]');
  if (replace && window.history && history.replaceState) {
    history.replaceState(null, "", replace.getAttribute("content"));
  }
})();
(function () {
  "use strict";
  // On a phone the search filters fold away under their summary unless one is in use, so
  // the results are the first thing under the search box.
  var filters = document.querySelector("details.more-filters");
  if (filters && !filters.dataset.active && window.matchMedia("(max-width: 47.99rem)").matches) {
    filters.open = false;
  }
})();
