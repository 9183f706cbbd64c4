/* The site's own script: the filter of the table of all recommendations (without JavaScript the table
   stays complete), and an accessible name for the theme's search dialog. */
(function () {
  "use strict";

  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role=dialog]");
    var input = document.querySelector(".md-search__input");
    if (dialog && input && !dialog.hasAttribute("aria-label")) {
      dialog.setAttribute("aria-label", input.getAttribute("aria-label") || input.placeholder || "Search");
    }
  }

  function setUp() {
    nameSearchDialog();
    setUpFilter();
  }

  function setUpFilter() {
    var form = document.getElementById("q-filter");
    var table = document.getElementById("q-index");
    var count = document.getElementById("q-filter-count");
    if (!form || !table || form.dataset.ready) {
      return;
    }
    form.dataset.ready = "true";
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var keys = ["topic", "audience", "priority", "status"];
    var texts = rows.map(function (row) {
      return row.textContent.toLowerCase();
    });

    function apply() {
      var words = form.elements.q.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, index) {
        var visible = keys.every(function (key) {
          var wanted = form.elements[key].value;
          return !wanted || row.dataset[key] === wanted;
        }) && words.every(function (word) {
          return texts[index].indexOf(word) !== -1;
        });
        row.hidden = !visible;
        shown += visible ? 1 : 0;
      });
      // The page's language gives the wording: data-all and data-some, with {shown} and {total}.
      var wording = shown === rows.length
        ? count.dataset.all || "Showing all {total} recommendations."
        : count.dataset.some || "Showing {shown} of {total} recommendations.";
      count.textContent = wording.replace("{shown}", shown).replace("{total}", rows.length);
      var params = new URLSearchParams();
      ["q"].concat(keys).forEach(function (key) {
        if (form.elements[key].value) {
          params.set(key, form.elements[key].value);
        }
      });
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }

    var initial = new URLSearchParams(location.search);
    ["q"].concat(keys).forEach(function (key) {
      var value = initial.get(key);
      var field = form.elements[key];
      if (value === null) {
        return;
      }
      if (field.tagName === "SELECT") {
        var known = Array.prototype.some.call(field.options, function (option) {
          return option.value === value;
        });
        if (known) {
          field.value = value;
        }
      } else {
        field.value = value;
      }
    });

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

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
