/* The live board: every few seconds, the small JSON of /board/state redrawn in place. No
   inline script or style (the CSP forbids both); no long-lived connection (the web workers
   stay free for Twilio). Text only through textContent: nothing from the server is markup. */
"use strict";

(function () {
  var root = document.getElementById("board");
  if (!root) { return; }
  var words = JSON.parse(root.dataset.words);
  var every = Number(root.dataset.poll || 5) * 1000;
  var lastGood = Date.now();

  function el(tag, text, className) {
    var made = document.createElement(tag);
    if (text !== undefined && text !== null) { made.textContent = text; }
    if (className) { made.className = className; }
    return made;
  }

  function clock(seconds) {
    var s = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (s < 10 ? "0" : "") + s;
  }

  function list(items, className, empty, draw) {
    var ul = el("ul", null, className);
    if (!items.length) { ul.appendChild(el("li", empty, "empty")); }
    items.forEach(function (item) { ul.appendChild(draw(item)); });
    return ul;
  }

  function tierName(n) { return words.tier.replace("{n}", String(n)); }

  function drawLine(line) {
    var section = el("section", null, "board-line");
    section.dataset.line = line.key;
    section.appendChild(el("h2", line.name));
    var tiers = el("div", null, "board-tiers");
    if (!line.tiers.length) { tiers.appendChild(el("p", words.nobody, "empty")); }
    line.tiers.forEach(function (tier, index) {
      var box = el("div", null, "board-tier");
      box.appendChild(el("h3", tierName(index + 1)));
      box.appendChild(list(tier, "", words.nobody, function (person) {
        var li = el("li", person.name + " ", "state-" + person.state);
        li.dataset.counselor = person.counselor;
        li.appendChild(el("span", words[person.state], "state"));
        return li;
      }));
      tiers.appendChild(box);
    });
    section.appendChild(tiers);
    var headings = root.dataset.headings ? JSON.parse(root.dataset.headings) : {};
    section.appendChild(el("h3", headings.calls));
    section.appendChild(list(line.calls, "board-calls", words.no_calls, function (call) {
      var li = el("li", words[call.state] + " · ", "call-" + call.state);
      var span = el("span", clock(call.seconds));
      span.dataset.seconds = call.seconds;
      li.appendChild(span);
      return li;
    }));
    section.appendChild(el("h3", headings.gap));
    var gap = el("p", null, "board-gap");
    if (line.next_gap) {
      gap.appendChild(el("strong", line.next_gap.local_start + " – " + line.next_gap.local_end));
    } else {
      gap.textContent = words.no_gap;
    }
    section.appendChild(gap);
    section.appendChild(el("h3", headings.unconfirmed));
    section.appendChild(list(line.unconfirmed, "board-unconfirmed", words.all_confirmed,
      function (shift) {
        return el("li", shift.name + " · " + tierName(shift.tier) + " · " + shift.local_start);
      }));
    return section;
  }

  function draw(state) {
    var fresh = document.createDocumentFragment();
    state.lines.forEach(function (line) { fresh.appendChild(drawLine(line)); });
    root.replaceChildren(fresh);
    var at = document.querySelector("[data-board-at]");
    if (at) {  // the wall's own clock, hours and minutes; the stamp stays machine-readable
      at.setAttribute("datetime", state.at);
      at.textContent = new Date(state.at).toLocaleTimeString(document.documentElement.lang || undefined, {hour: "2-digit", minute: "2-digit"});
    }
    document.documentElement.dataset.boardAt = state.at;
  }

  function refresh() {
    fetch(root.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) { lastGood = Date.now(); root.classList.remove("stale"); draw(state); })
      .catch(function () {
        if (Date.now() - lastGood > 4 * every) { root.classList.add("stale"); root.title = words.stale; }
      })
      .then(function () { window.setTimeout(refresh, every); });
  }

  window.setTimeout(refresh, every);
})();
