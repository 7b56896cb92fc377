// Offline search over every name of every entity (search-index.js sets window.ECOCLUSTER_INDEX; it is
// a script, not JSON, so this works from file:// too). Plain JavaScript, no framework; results are
// built with DOM methods (textContent), never innerHTML, because names are data.
//
// How a query is matched (docs/site.md, "How search works"):
// - text is folded: Unicode NFKD, accents dropped, lower case; Hangul syllables fall apart into their
//   letters (jamo), so one wrong letter of a Korean word is a small typo, as it is in English;
// - the query is split into words, in any order; each word is compared with every word of every name,
//   with two neighbouring words joined ("hyeongjoon") and with the whole name joined ("ecocluster");
// - a word matches exactly (1), as the start of a word (0.75-0.95), inside a word of 3+ letters
//   (0.55-0.7), or with one or two typing mistakes (0.7 or 0.6; a swap of two letters is one);
// - a word found only in the context (kind, date, publisher, a person's titles) counts 0.85 as much;
// - rare words weigh more than common ones (inverse document frequency), so "Busan" decides less
//   than "Samsung"; an entity's score is the weighted share of the query's words it matches, plus a
//   bonus when the whole query is one of its names; sources score 0.7 of that, so people,
//   organisations, agreements and projects come first.
(function () {
  "use strict";
  var data = window.ECOCLUSTER_INDEX || {e: [], tables: [], langs: [], words: []};
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var KINDS = {organisations: "organisation", people: "person", agreements: "agreement", projects: "project",
    sources: "source"};
  var CONTEXT = 255, CONTEXT_FACTOR = 0.85, SOURCE_FACTOR = 0.7, LIMIT = 50;

  var FOLD = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "þ": "th"};
  function norm(s) {
    return String(s).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
      .replace(/[ßæœøđłıþ]/g, function (c) { return FOLD[c]; });
  }
  function tokens(s) {
    return norm(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  // The vocabulary: every word (and joined pair, and joined name) -> postings entity*256 + slot, where
  // slot 0 is the label, 1.. the other names, 255 the context.
  var vocab = new Map(), compact = [], stems = new Map();
  function add(word, posting) {
    var list = vocab.get(word);
    if (!list) { vocab.set(word, [posting]); } else if (list[list.length - 1] !== posting) { list.push(posting); }
  }
  data.e.forEach(function (e, i) {
    var names = [e[2]].concat(e[5].map(function (n) { return n[0]; }));
    compact[i] = [];
    names.forEach(function (name, j) {
      var t = tokens(name), slot = i * 256 + Math.min(j, 254);
      t.forEach(function (w, k) {
        add(w, slot);
        if (k + 1 < t.length) { add(w + t[k + 1], slot); }
      });
      if (t.length > 2) { add(t.join(""), slot); }
      compact[i].push(t.join(""));
    });
    tokens(data.words[e[3]] + " " + e[4]).forEach(function (w) { add(w, i * 256 + CONTEXT); });
    stems.set(tokens(e[1]).join(""), i);
  });
  var words = Array.from(vocab.keys());

  // Optimal string alignment distance (edits and swaps of neighbours), or max + 1 once it exceeds max.
  function distance(a, b, max) {
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) { prev[j] = j; }
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var low = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          v = Math.min(v, prev2[j - 2] + 1);
        }
        cur[j] = v;
        if (v < low) { low = v; }
      }
      if (low > max) { return max + 1; }
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  function similarity(q, w) {
    if (q === w) { return 1; }
    var ql = q.length, wl = w.length;
    if (wl > ql && ql >= 2 && w.lastIndexOf(q, 0) === 0) { return 0.75 + 0.2 * ql / wl; }
    if (wl > ql && ql >= 3 && w.indexOf(q) > 0) { return 0.55 + 0.15 * ql / wl; }
    var max = ql < 4 ? 0 : ql < 7 ? 1 : 2;
    if (max && Math.abs(ql - wl) <= max && distance(q, w, max) <= max) {
      return distance(q, w, max) === 1 ? 0.7 : 0.6;
    }
    return 0;
  }

  // The whole query as one of the entity's names, run together: exactly (0.25), with a typo or two
  // (0.2: "Renalt Korea" is Renault Korea's name, not words of an agreement's title), or its start (0.1).
  function wholeBonus(whole, names) {
    var max = whole.length < 6 ? 0 : whole.length < 10 ? 1 : 2, bonus = 0;
    names.forEach(function (c) {
      if (c === whole) { bonus = Math.max(bonus, 0.25); }
      else if (max && Math.abs(c.length - whole.length) <= max && distance(whole, c, max) <= max) { bonus = Math.max(bonus, 0.2); }
      else if (whole.length >= 3 && c.lastIndexOf(whole, 0) === 0) { bonus = Math.max(bonus, 0.1); }
    });
    return bonus;
  }

  function search(q) {
    var qt = Array.from(new Set(tokens(q)));
    if (!qt.length) { return []; }
    var n = data.e.length, total = 0;
    var scores = new Map();  // entity -> {score, slots: {slot: weight}}
    qt.forEach(function (t) {
      var best = new Map();
      for (var x = 0; x < words.length; x++) {
        var s = similarity(t, words[x]);
        if (!s) { continue; }
        vocab.get(words[x]).forEach(function (p) {
          var e = Math.floor(p / 256), slot = p % 256, v = slot === CONTEXT ? s * CONTEXT_FACTOR : s;
          var old = best.get(e);
          if (!old || old[0] < v) { best.set(e, [v, slot]); }
        });
      }
      var weight = Math.log(1 + n / (1 + best.size));
      total += weight;
      best.forEach(function (hit, e) {
        var r = scores.get(e);
        if (!r) { r = {score: 0, slots: {}}; scores.set(e, r); }
        r.score += weight * hit[0];
        r.slots[hit[1]] = (r.slots[hit[1]] || 0) + weight * hit[0];
      });
    });
    var whole = qt.join(""), hits = [];
    scores.forEach(function (r, i) {
      var e = data.e[i], score = r.score / total;
      score += wholeBonus(whole, compact[i]);
      if (stems.get(whole) === i) { score += 1; }
      if (data.tables[e[0]] === "sources") { score *= SOURCE_FACTOR; }
      var slot = Object.keys(r.slots).sort(function (a, b) { return r.slots[b] - r.slots[a] || a - b; })[0];
      hits.push({i: i, e: e, score: score, slot: Number(slot)});
    });
    hits.sort(function (a, b) {
      return b.score - a.score || a.e[2].length - b.e[2].length || a.e[2].localeCompare(b.e[2]);
    });
    var top = hits.length ? hits[0].score : 0;
    return hits.filter(function (h) { return h.score >= Math.max(0.3, top * 0.5); }).slice(0, LIMIT);
  }
  window.ECOCLUSTER_SEARCH = search;  // for the tests and the console

  function show(q) {
    var hits = search(q);
    list.textContent = "";
    hits.forEach(function (h) {
      var e = h.e, li = document.createElement("li"), a = document.createElement("a");
      var table = data.tables[e[0]];
      a.href = table + "/" + e[1] + ".html";
      a.className = "search-hit";
      a.textContent = e[2];
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "hint";
      meta.appendChild(document.createTextNode(" · " + (KINDS[table] || table)));
      if (h.slot > 0 && h.slot < CONTEXT && e[5][h.slot - 1]) {
        var n = e[5][h.slot - 1], name = document.createElement("span");
        if (data.langs[n[1]]) { name.lang = data.langs[n[1]]; }
        name.textContent = n[0];
        meta.appendChild(document.createTextNode(" · found as “"));
        meta.appendChild(name);
        meta.appendChild(document.createTextNode("”" + (data.words[n[2]] ? " (" + data.words[n[2]] + ")" : "")));
      }
      li.appendChild(meta);
      var about = [data.words[e[3]], e[4]].filter(Boolean).join(" · ");
      if (about) {
        var ctx = document.createElement("span");
        ctx.className = "context";
        ctx.textContent = about;
        li.appendChild(ctx);
      }
      list.appendChild(li);
    });
    status.textContent = !q.trim() ? "" : hits.length === 1 ? "1 found" : hits.length ? hits.length + " found"
      : "Nothing found for “" + q + "”. Try fewer words, or browse the lists of each kind.";
  }

  function remember(q) {  // so the address can be shared: search.html?q=…
    try { history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : location.pathname); } catch (err) { /* some file:// setups refuse */ }
  }

  if (!form || !input || !list) { return; }
  form.addEventListener("submit", function (ev) { ev.preventDefault(); show(input.value); remember(input.value); });
  input.addEventListener("input", function () { show(input.value); remember(input.value); });
  var given = new URLSearchParams(location.search).get("q");
  if (given) { input.value = given; show(given); }
})();
