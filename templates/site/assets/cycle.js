/* Filters for the tables of the yearly cycle: a form with data-q-filter="<table id>" narrows the rows by
   its select fields (matched against the rows' data attributes, which may hold several words) and by
   the words typed. Without JavaScript the form stays hidden and the table complete. */
(function () {
  "use strict";

  function setUpForm(form) {
    var table = document.getElementById(form.dataset.qFilter);
    var count = document.getElementById(form.dataset.qCount);
    if (!table || form.dataset.ready) {
      return;
    }
    form.dataset.ready = "true";
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    var words = form.elements.q;
    var texts = rows.map(function (row) {
      return row.textContent.toLowerCase();
    });

    function apply() {
      var wanted = words.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, index) {
        var visible = selects.every(function (select) {
          var value = select.value;
          var held = (row.dataset[select.name] || "").split(" ");
          return !value || held.indexOf(value) !== -1;
        }) && wanted.every(function (word) {
          return texts[index].indexOf(word) !== -1;
        });
        row.hidden = !visible;
        shown += visible ? 1 : 0;
      });
      if (count) {
        // The page's language gives the wording: data-all and data-some, with {shown} and {total}.
        var wording = shown === rows.length
          ? count.dataset.all || "Showing all {total} recommendations."
          : count.dataset.some || "Showing {shown} of {total} recommendations.";
        count.textContent = wording.replace("{shown}", shown).replace("{total}", rows.length);
      }
    }

    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
    form.addEventListener("reset", function () {
      setTimeout(apply, 0);
    });
    form.hidden = false;
    apply();
  }

  function setUp() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-q-filter]"), setUpForm);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
