// Search as you type: the same server-rendered results, fetched while typing. The page works without it.
(function () {
  "use strict";
  var form = document.getElementById("search");
  var results = document.getElementById("results");
  if (!form || !results || !window.fetch) return;
  var timer = null;
  var latest = 0;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value !== "") params.append(key, value); });
    return params;
  }

  function refresh() {
    var params = query();
    if (!params.get("q")) return;
    var shown = "/search?" + params.toString();
    params.set("partial", "1");
    var mine = ++latest;
    fetch("/search?" + params.toString(), { headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine !== latest) return; // an older answer arriving late
        results.innerHTML = html;
        history.replaceState(null, "", shown); // the URL stays shareable
      })
      .catch(function () { /* the submit button still works */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
})();
