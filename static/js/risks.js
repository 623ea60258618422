/* Risk register: searchable catalogue pickers (CSF categories, Annex A
   controls). Markup: templates/risks/partials/catalogue_picker.html. No inline script. */
(function () {
  "use strict";

  function setup(picker) {
    var search = picker.querySelector("[data-picker-search]");
    var options = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-text]"));
    var none = picker.querySelector("[data-picker-none]");
    var count = picker.querySelector("[data-picker-count]");

    function updateCount() {
      var chosen = picker.querySelectorAll("input[type=checkbox]:checked").length;
      if (count) count.textContent = chosen ? "(" + chosen + " chosen)" : "";
    }

    function filter() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      options.forEach(function (option) {
        var text = option.getAttribute("data-picker-text");
        var checked = option.querySelector("input").checked;
        var match = checked || words.every(function (w) { return text.indexOf(w) !== -1; });
        option.classList.toggle("d-none", !match);
        if (match) shown += 1;
      });
      if (none) none.classList.toggle("d-none", shown > 0);
    }

    if (search) {
      search.addEventListener("input", filter);
      // Enter in the search box must not submit the whole form.
      search.addEventListener("keydown", function (event) { if (event.key === "Enter") event.preventDefault(); });
    }
    picker.addEventListener("change", updateCount);
    updateCount();
  }

  document.querySelectorAll("[data-catalogue-picker]").forEach(setup);
})();
