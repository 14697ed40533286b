// Progressive enhancement for the editor: a live count of the characters left in fields
// marked `data-count` (the summary). Without JavaScript the limit is stated and enforced.
"use strict";
document.querySelectorAll("[data-count]").forEach(function (field) {
  var out = document.getElementById(field.dataset.count);
  if (!out) return;
  var max = parseInt(field.getAttribute("maxlength"), 10);
  var template = out.dataset.template;
  var timer = null;
  function update() {
    // count characters as the server does (code points), not UTF-16 units
    var left = max - Array.from(field.value).length;
    out.textContent = template.replace("{left}", String(left));
  }
  field.addEventListener("input", function () {
    // screen readers hear the count after a pause in typing, not at every key
    clearTimeout(timer);
    timer = setTimeout(update, 400);
  });
  update();
});
