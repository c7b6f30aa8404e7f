/* compare report: keys, filters, originals and (3+ outlets) pair switching.
   The page reads without this script; it adds behaviour only. Text from the
   articles is only ever set through textContent, never parsed as HTML. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("nojs");
  root.classList.add("js");

  var table = document.getElementById("pair-table");
  var rowsBody = document.getElementById("rows");
  var pos = document.getElementById("pos");
  var dialog = document.getElementById("keys");
  var fDiff = document.getElementById("f-diff");
  var fOmit = document.getElementById("f-omit");
  var origAll = document.getElementById("orig-all");
  var dataNode = document.getElementById("pair-data");
  var data = dataNode ? JSON.parse(dataNode.textContent) : null;
  var current = -1;

  function visibleDiffs() {
    if (!rowsBody) return [];
    var out = [];
    var rows = rowsBody.querySelectorAll("tr.diff");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getClientRects().length) out.push(rows[i]);
    }
    return out;
  }

  function go(step) {
    var rows = visibleDiffs();
    if (!rows.length) { say("No differences shown"); return; }
    var active = document.activeElement;
    var at = rows.indexOf(active);
    if (at < 0) {
      // Continue from the row nearest the last focused one, else from the top.
      at = step > 0 ? -1 : rows.length;
      if (current >= 0) {
        for (var i = 0; i < rows.length; i++) {
          if (rows[i].sectionRowIndex >= current) { at = step > 0 ? i - 1 : i; break; }
        }
      }
    }
    var next = Math.min(rows.length - 1, Math.max(0, at + step));
    focusRow(rows[next]);
    say("Difference " + (next + 1) + " of " + rows.length);
  }

  function focusRow(row) {
    var old = rowsBody.querySelector("tr.current");
    if (old) old.classList.remove("current");
    row.classList.add("current");
    current = row.sectionRowIndex;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "center" });
  }

  function say(text) { if (pos) pos.textContent = text; }

  function setFilter(box, on) {
    if (!box) return;
    box.checked = on;
    applyFilters();
  }

  var fType = null;  /* a finding type chosen in the findings panel: only its rows are shown */

  function applyFilters() {
    if (!table) return;
    table.classList.toggle("f-diff", !!(fDiff && fDiff.checked));
    table.classList.toggle("f-omit", !!(fOmit && fOmit.checked));
    var rows = rowsBody.querySelectorAll("tr.row");
    for (var i = 0; i < rows.length; i++) rows[i].classList.toggle("fx", !!fType && !rows[i].classList.contains("ft-" + fType));
    say(visibleDiffs().length + " differences shown" + (fType ? " with a " + BADGES[fType][1] + " finding" : ""));
  }

  function chooseType(type) {
    fType = fType === type ? null : type;
    var buttons = document.querySelectorAll("button.ftype");
    for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-pressed", buttons[i].dataset.type === fType ? "true" : "false");
    applyFilters();
  }

  function setOriginals(open) {
    var all = document.querySelectorAll("details.orig");
    for (var i = 0; i < all.length; i++) all[i].open = open;
    if (origAll) {
      origAll.setAttribute("aria-pressed", open ? "true" : "false");
      origAll.textContent = open ? "Hide all originals" : "Show all originals";
    }
  }

  function toggleKeys() {
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  /* ---- pairs drawn from the embedded data (3+ outlets) ---- */

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function nums(list) {
    return list.map(function (i) { return String(i + 1); }).join(", ");
  }

  function compareText(doc, i) { var s = data.s[doc][i]; return s[0]; }

  function joined(doc, list) {
    return list.map(function (i) { return compareText(doc, i); }).join(" ");
  }

  function originals(doc, list) {
    if (data.s[doc].length === 0 || data.s[doc][list[0]].length < 2) return null;
    return list.map(function (i) { return data.s[doc][i][1]; }).join(" ");
  }

  /* A flagged translation: the same class, title and note as the server renders (html.py FLAG_*). */
  function flagOf(doc, list) {
    var seen = [];
    for (var k = 0; k < list.length; k++) {
      var f = data.s[doc][list[k]][2];
      if (f && seen.indexOf(f) < 0) seen.push(f);
    }
    return seen.length ? seen.join("; ") : null;
  }

  function flagNote(doc, list) {
    var f = flagOf(doc, list);
    return f ? el("p", "flag", "⚠ translation looks wrong: " + f) : null;
  }

  function sentenceP(doc, list, segs, markCls) {
    var p = el("p", "s");
    var flag = flagOf(doc, list);
    if (flag) {
      p.className = "s flagged";
      p.title = "Machine translation looks wrong: " + flag + ". Read the original.";
    }
    if (!segs) { p.textContent = joined(doc, list); return p; }
    var runs = [];
    if (segs.length && Array.isArray(segs[0])) {
      runs = segs;
    } else {
      var text = joined(doc, list), at = 0;
      for (var k = 0; k < segs.length; k++) {
        runs.push([text.slice(at, at + segs[k]), k % 2]);
        at += segs[k];
      }
    }
    for (var r = 0; r < runs.length; r++) {
      if (!runs[r][0]) continue;
      var ev = runs[r].length > 2 && runs[r][2];
      if (runs[r][1]) p.appendChild(el("mark", ev ? markCls + " ev" : markCls, runs[r][0]));
      else if (ev) p.appendChild(el("mark", "ev", runs[r][0]));
      else p.appendChild(document.createTextNode(runs[r][0]));
    }
    p.normalize();
    return p;
  }

  function origDetails(doc, list) {
    var text = originals(doc, list);
    if (text === null) return null;
    var d = el("details", "orig");
    d.appendChild(el("summary", null, "Original (" + data.docs[doc].name + ")"));
    var o = el("p", "o", text);
    o.lang = data.docs[doc].lang;
    d.appendChild(o);
    return d;
  }

  function cell(cls, children) {
    var td = el("td", cls);
    for (var i = 0; i < children.length; i++) if (children[i]) td.appendChild(children[i]);
    return td;
  }

  function sym(text, title) { var s = el("span", "sym", text); s.title = title; return s; }

  function link(cls, href, text, title) {
    var a = el("a", cls, text);
    a.href = "#" + href;
    if (title) a.title = title;
    return a;
  }

  var KINDS = ["same", "changed", "only-a", "only-b", "ghost"];
  /* Finding badges: the same symbol, name and markup as the server renders (html.py BADGES). */
  var BADGES = {number: ["#", "number"], attribution: ["@", "source"], certainty: ["?", "certainty"],
    quote: ["\u201c", "quote"], loaded: ["!", "wording"], entity: ["\u2299", "name"], detail: ["+", "detail"]};

  function badge(type, title) {
    var b = el("span", "badge t-" + type + (title.indexOf(" (uncertain: ") >= 0 ? " uncertain" : ""));
    b.title = title;
    var s = el("span", null, BADGES[type][0]);
    s.setAttribute("aria-hidden", "true");
    b.appendChild(s);
    b.appendChild(document.createTextNode(" " + BADGES[type][1]));
    return b;
  }

  function drawRow(pair, r, n) {
    var A = pair.a, B = pair.b, la = data.docs[A].label, lb = data.docs[B].label;
    var kind = KINDS[r[0]];
    var tr = el("tr");
    tr.id = "r" + n;
    var classes = ["row", kind];
    var moved = kind !== "ghost" && r.length > 5 && r[5] >= 0;
    if (kind === "changed" || kind === "only-a" || kind === "only-b" || moved) classes.push("diff");
    if (moved) classes.push("moved");
    if ((kind === "same" || kind === "changed") && r[4]) classes.push("weak");
    tr.className = classes.join(" ");
    tr.tabIndex = -1;
    if (kind === "ghost") {
      var above = r[3] < n;
      tr.append(
        cell("no na", []), cell("tx ta", []), cell("mid", [sym("↕", "moved")]),
        cell("tx tb", [link("ghost", "r" + r[3], lb + " has this sentence here; shown " + (above ? "above" : "below") +
          ", beside " + la + " " + nums(r[4]))]),
        el("td", "no nb", nums(r[2])));
    } else if (kind === "only-a") {
      tr.append(
        el("td", "no na", nums(r[1])), cell("tx ta", [sentenceP(A, r[1]), flagNote(A, r[1]), origDetails(A, r[1])]),
        cell("mid", [sym("◀", "only in " + la)]), cell("tx tb", [el("span", "gap", "not in " + lb)]), el("td", "no nb"));
    } else if (kind === "only-b") {
      tr.append(
        el("td", "no na"), cell("tx ta", [el("span", "gap", "not in " + la)]), cell("mid", [sym("▶", "only in " + lb)]),
        cell("tx tb", [sentenceP(B, r[2]), flagNote(B, r[2]), origDetails(B, r[2])]), el("td", "no nb"));
    } else {
      var mid = [sym(kind === "changed" ? "≈" : "=", kind === "changed" ? "same fact, different words" : "same words")];
      if (r[1].length > 1 || r[2].length > 1) {
        var nm = el("span", "nm", r[1].length + ":" + r[2].length);
        nm.title = "sentences grouped (" + la + ":" + lb + ")";
        mid.push(nm);
      }
      var sc = el("span", "sc", r[3]);
      sc.title = "link score (" + (r[4] ? "weak" : "strong") + ")";
      mid.push(sc);
      if (r[4]) mid.push(el("span", "wk", "weak"));
      if (moved) mid.push(link("mv", "r" + r[5], "↕ moved", lb + " tells this elsewhere"));
      var found = r.length > 8 ? r[8] : [];
      for (var f = 0; f < found.length; f++) {
        classes.push("ft-" + found[f][0]);
        mid.push(badge(found[f][0], found[f][1]));
      }
      tr.className = classes.join(" ");
      tr.append(
        el("td", "no na", nums(r[1])),
        cell("tx ta", [sentenceP(A, r[1], r[6], "ma"), flagNote(A, r[1]), origDetails(A, r[1])]),
        cell("mid", mid), cell("tx tb", [sentenceP(B, r[2], r[7], "mb"), flagNote(B, r[2]), origDetails(B, r[2])]),
        el("td", "no nb", nums(r[2])));
    }
    return tr;
  }

  function showPair(k) {
    if (!data || !data.pairs[k]) return;
    var pair = data.pairs[k], la = data.docs[pair.a].label, lb = data.docs[pair.b].label;
    var frag = document.createDocumentFragment();
    for (var n = 0; n < pair.rows.length; n++) frag.appendChild(drawRow(pair, pair.rows[n], n));
    rowsBody.replaceChildren(frag);
    setHead("head-a", "a", la);
    setHead("head-b", "b", lb);
    document.getElementById("label-a").textContent = la;
    document.getElementById("label-b").textContent = lb;
    document.getElementById("pair-figs").textContent = pair.n[0] + " linked · " + pair.n[1] + " only in A · " +
      pair.n[2] + " only in B · " + pair.n[3] + " moved";
    var select = document.getElementById("pair-select");
    if (select) select.value = String(k);
    current = -1;
    if (origAll && origAll.getAttribute("aria-pressed") === "true") setOriginals(true);
    applyFilters();
  }

  function setHead(id, side, label) {
    var th = document.getElementById(id);
    var key = el("span", "key key-" + side, side.toUpperCase());
    key.setAttribute("aria-hidden", "true");
    th.replaceChildren(key, document.createTextNode(" " + label));
  }

  function pairFromHash() {
    var m = /^#pair-(\d+)$/.exec(location.hash);
    return m ? parseInt(m[1], 10) : -1;
  }

  /* ---- wiring ---- */

  if (fDiff) fDiff.addEventListener("change", applyFilters);
  var typeButtons = document.querySelectorAll("button.ftype");
  for (var tb = 0; tb < typeButtons.length; tb++) {
    typeButtons[tb].addEventListener("click", function (e) { chooseType(e.currentTarget.dataset.type); });
  }
  if (fOmit) fOmit.addEventListener("change", applyFilters);
  if (origAll) origAll.addEventListener("click", function () {
    setOriginals(origAll.getAttribute("aria-pressed") !== "true");
  });
  var keysBtn = document.getElementById("keys-btn");
  if (keysBtn) keysBtn.addEventListener("click", toggleKeys);
  var keysClose = document.getElementById("keys-close");
  if (keysClose) keysClose.addEventListener("click", function () { dialog.close(); });

  var select = document.getElementById("pair-select");
  if (select && data) {
    select.addEventListener("change", function () {
      var k = parseInt(select.value, 10);
      history.replaceState(null, "", k ? "#pair-" + k : location.pathname + location.search);
      showPair(k);
    });
    var start = pairFromHash();
    if (start > 0) showPair(start);
  }
  window.compareReport = { showPair: showPair };

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" && t.type !== "checkbox" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
    if (dialog && dialog.open && e.key !== "?" ) return;
    switch (e.key) {
      case "n": go(1); break;
      case "p": go(-1); break;
      case "d": setFilter(fDiff, !(fDiff && fDiff.checked)); break;
      case "o": setFilter(fOmit, !(fOmit && fOmit.checked)); break;
      case "t": if (origAll) origAll.click(); break;
      case "?": toggleKeys(); break;
      default: return;
    }
    e.preventDefault();
  });

  var wasOpen = [];
  window.addEventListener("beforeprint", function () {
    var all = document.querySelectorAll("details");
    wasOpen = [];
    for (var i = 0; i < all.length; i++) { wasOpen.push(all[i].open); all[i].open = true; }
  });
  window.addEventListener("afterprint", function () {
    var all = document.querySelectorAll("details");
    for (var i = 0; i < all.length && i < wasOpen.length; i++) all[i].open = wasOpen[i];
  });
})();
