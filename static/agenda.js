// Progressive enhancement for the agenda and event pages. Without JavaScript the pages
// show times in UTC until a zone is chosen, and a reload shows any change.
// 1. The reader's time zone comes from the browser the first time (kept in the `tz`
//    cookie, as choosing it in the form does).
// 2. Changes arrive live (Server-Sent Events from /agenda/live): the list, month, day or
//    event is fetched again and swapped in place, and a polite live region says what changed.
"use strict";
(function () {
  function hasZoneCookie() {
    return document.cookie.split("; ").some(function (c) { return c.indexOf("tz=") === 0; });
  }
  var field = document.getElementById("tz");
  var zone = null;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
  if (zone && field && !hasZoneCookie()) {
    document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax" +
      (location.protocol === "https:" ? "; secure" : "");
    // reload once, only if the cookie was kept (else this would loop) and the zone differs
    if (hasZoneCookie() && field.value !== zone) { location.reload(); return; }
  }

  var region = document.querySelector("[data-live]");
  var note = document.getElementById("live-note");
  if (!region || !note || !window.EventSource || !window.fetch || !window.DOMParser) return;
  var pending = null;
  var said = note.dataset.updated;
  function refresh() {
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.status === 404) { note.textContent = note.dataset.deleted; return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
        if (!fresh) return;
        region.replaceWith(fresh);
        region = fresh;
        note.textContent = said;
      })
      .catch(function () { /* offline for a moment: the next change or a reload will do */ });
  }
  var source = new EventSource(region.dataset.live);
  source.addEventListener("change", function (ev) {
    var c;
    try { c = JSON.parse(ev.data); } catch (e) { return; }
    if (region.dataset.event && region.dataset.event !== c.id) return;
    said = note.dataset[c.change] || note.dataset.updated;
    // a burst of changes is fetched once
    clearTimeout(pending);
    pending = setTimeout(refresh, 250);
  });
  source.addEventListener("reload", function () { clearTimeout(pending); pending = setTimeout(refresh, 250); });
})();
