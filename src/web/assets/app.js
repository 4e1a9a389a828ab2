// rep's web view: a copy button for the rep command, "/" to search, and results as you type.
// Everything it shows is set with textContent: text from the repertoire is never parsed as HTML.
"use strict";
(function () {
  var body = document.body;
  var root = body.getAttribute("data-root") || "/";
  var staticSite = body.getAttribute("data-mode") === "static";

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      }, function () { button.textContent = "Select and copy"; });
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    if (active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA")) return;
    var input = document.getElementById("q") || document.getElementById("site-q");
    if (input) { event.preventDefault(); input.focus(); }
  });

  var input = document.getElementById("q");
  var results = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!input || !results) return;

  function show(found, query) {
    results.replaceChildren();
    found.hits.forEach(function (hit) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = hit.href;
      a.textContent = hit.title;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.kind;
      li.appendChild(kind);
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " in " + hit.domain;
      li.appendChild(meta);
      if (hit.snippet && hit.snippet.length) {
        var p = document.createElement("p");
        p.className = "snippet";
        hit.snippet.forEach(function (piece) {
          if (piece[1]) {
            var mark = document.createElement("mark");
            mark.textContent = piece[0];
            p.appendChild(mark);
          } else {
            p.appendChild(document.createTextNode(piece[0] + " "));
          }
        });
        li.appendChild(p);
      }
      results.appendChild(li);
    });
    if (!status) return;
    if (found.corrected) status.textContent = "Showing results for \u201c" + found.corrected + "\u201d.";
    else if (!query.trim()) status.textContent = "";
    else if (!found.hits.length) status.textContent = "Nothing matches \u201c" + query + "\u201d.";
    else status.textContent = found.hits.length + (found.hits.length === 1 ? " result" : " results");
  }

  // The static copy's search: every word must occur in the title, tags, domain or kind; a
  // title that is the query comes first, then titles holding every word, then the rest.
  function searchIndex(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var index = window.REP_INDEX || [];
    var scored = [];
    if (!words.length) return { hits: [] };
    for (var i = 0; i < index.length; i++) {
      var row = index[i];
      var title = row[1].toLowerCase();
      var hay = title + " " + row[4].toLowerCase() + " " + row[3].toLowerCase() + " " + row[2];
      if (!words.every(function (w) { return hay.indexOf(w) !== -1; })) continue;
      var rank = title === words.join(" ") ? 0 : words.every(function (w) { return title.indexOf(w) !== -1; }) ? 1 : 2;
      scored.push([rank, row]);
    }
    scored.sort(function (a, b) { return a[0] - b[0] || (a[1][1] < b[1][1] ? -1 : a[1][1] > b[1][1] ? 1 : 0); });
    return {
      hits: scored.slice(0, 20).map(function (s) {
        return { href: root + s[1][0], title: s[1][1], kind: s[1][2], domain: s[1][3], snippet: [] };
      })
    };
  }

  // The footer's command follows the words typed.
  var command = document.getElementById("rep-command");
  function shellWord(word) {
    return /^[A-Za-z0-9_.\/:@+,-]+$/.test(word) ? word : "'" + word.replace(/'/g, "'\\''") + "'";
  }
  function showCommand(query) {
    var words = query.split(/\s+/).filter(Boolean);
    if (command) command.textContent = "rep search " + (words.length ? words.map(shellWord).join(" ") : "WORDS");
  }

  var timer = null;
  var asked = 0;
  function update() {
    var query = input.value;
    var url = new URL(window.location.href);
    if (query.trim()) url.searchParams.set("q", query); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    showCommand(query);
    if (staticSite) { show(searchIndex(query), query); return; }
    var mine = ++asked;
    fetch(root + "search.json?q=" + encodeURIComponent(query), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (found) { if (mine === asked) show(found, query); })
      .catch(function () { /* the plain form still works */ });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 120);
  });
  if (staticSite) {
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { input.value = q; show(searchIndex(q), q); showCommand(q); }
  }
})();
