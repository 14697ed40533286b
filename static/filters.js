// Progressive enhancement for the library's filters: a search box above each list of
// checkboxes, hiding the terms that do not match (accents and case ignored). Without
// JavaScript every term is listed ("more") and the browser's find works.
"use strict";
(function () {
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f\u064b-\u065f]/g, "").toLowerCase();
  }
  document.querySelectorAll("fieldset.picker").forEach(function (set, n) {
    var list = set.querySelector("ul.checks");
    if (!list || list.querySelectorAll("li").length < 6) return;
    var id = "find-" + n;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.className = "visually-hidden";
    label.textContent = set.dataset.find;
    var box = document.createElement("input");
    box.type = "search";
    box.id = id;
    box.placeholder = set.dataset.find;
    box.autocomplete = "off";
    list.before(label, box);
    box.addEventListener("input", function () {
      var q = fold(box.value.trim());
      // deepest first, so a term stays visible when one of its narrower terms matches
      var items = Array.prototype.slice.call(list.querySelectorAll("li")).reverse();
      items.forEach(function (li) {
        var own = li.querySelector("label");
        var match = !q || fold(own.textContent).indexOf(q) !== -1;
        var child = Array.prototype.some.call(li.querySelectorAll("li"), function (c) { return !c.hidden; });
        li.hidden = !(match || child);
      });
    });
  });
})();
