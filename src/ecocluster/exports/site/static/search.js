// Offline search over every name variant. The index is window.ECOCLUSTER_INDEX (search-index.js), loaded
// as a script so it works from file:// too. Plain JavaScript, no framework; results are built with DOM
// methods (textContent), never innerHTML, because names are data.
(function () {
  "use strict";
  var index = window.ECOCLUSTER_INDEX || [];
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !input || !list) { return; }
  var KINDS = {organisations: "organisation", people: "person", agreements: "agreement", projects: "project", sources: "source"};

  // Case, accents, punctuation and spacing do not matter: "park hyeong joon" finds "Park Hyeong-joon".
  function norm(s) {
    return String(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, "");
  }
  var keys = index.map(function (e) { return norm(e.n); });

  function search(q) {
    var k = norm(q);
    var hits = [], seen = {};
    if (!k) { return hits; }
    for (var i = 0; i < index.length; i++) {
      var at = keys[i].indexOf(k);
      if (at < 0) { continue; }
      var e = index[i], score = (at === 0 ? 0 : 1) + (keys[i].length === k.length ? -1 : 0);
      if (seen[e.u] !== undefined && hits[seen[e.u]].score <= score) { continue; }
      if (seen[e.u] !== undefined) { hits[seen[e.u]] = {e: e, score: score}; continue; }
      seen[e.u] = hits.length;
      hits.push({e: e, score: score});
    }
    hits.sort(function (a, b) { return a.score - b.score || a.e.e.localeCompare(b.e.e); });
    return hits.slice(0, 50);
  }

  function show(q) {
    var hits = search(q);
    list.textContent = "";
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = h.e.u;
      a.className = "search-hit";
      a.textContent = h.e.e;
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "hint";
      meta.appendChild(document.createTextNode(" · " + (KINDS[h.e.t] || h.e.t) + " · matched "));
      var name = document.createElement("span");
      if (h.e.l) { name.lang = h.e.l; }
      name.textContent = h.e.n;
      meta.appendChild(name);
      if (h.e.k) { meta.appendChild(document.createTextNode(" (" + h.e.k + ")")); }
      li.appendChild(meta);
      list.appendChild(li);
    });
    status.textContent = q ? (hits.length ? hits.length + " found" : "Nothing found for this name.") : "";
  }

  form.addEventListener("submit", function (ev) { ev.preventDefault(); show(input.value); });
  input.addEventListener("input", function () { show(input.value); });
})();
