/* The site's own script, on top of the theme's: the filter of the table of all recommendations (without
   JavaScript the table stays complete), a real menu button on narrow screens with the closed menu out
   of the keyboard's way, and an accessible name for the search dialog. */
(function () {
  "use strict";

  // The theme shows its menu (the "drawer") instead of the side navigation below this width.
  var NARROW = "(max-width: 76.1875em)";
  // The filter's live count is announced once typing pauses, not at every key.
  var COUNT_DELAY = 700;

  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role=dialog]");
    var input = document.querySelector(".md-search__input");
    if (dialog && input && !dialog.hasAttribute("aria-label")) {
      dialog.setAttribute("aria-label", input.getAttribute("aria-label") || input.placeholder || "Search");
    }
  }

  // The theme opens its menu with a label for a hidden checkbox, which the keyboard cannot reach. A button
  // takes the label's place; while the menu is closed it is inert, so Tab never lands on its hidden links.
  function setUpMenu() {
    var toggle = document.getElementById("__drawer");
    var label = document.querySelector(".md-header label[for=__drawer]");
    var drawer = document.querySelector(".md-sidebar--primary");
    if (!toggle || !label || !drawer || label.dataset.replaced) {
      return;
    }
    label.dataset.replaced = "true";
    var navigation = drawer.querySelector("nav");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-header__button md-icon q-menu-button";
    button.setAttribute("aria-label", (navigation && navigation.getAttribute("aria-label")) || "Navigation");
    button.setAttribute("aria-expanded", "false");
    if (navigation) {
      navigation.id = navigation.id || "q-navigation";
      button.setAttribute("aria-controls", navigation.id);
    }
    button.innerHTML = label.innerHTML;
    label.parentNode.insertBefore(button, label);
    label.hidden = true;
    var narrow = window.matchMedia(NARROW);

    function update() {
      var open = toggle.checked;
      button.setAttribute("aria-expanded", open ? "true" : "false");
      drawer.inert = narrow.matches && !open;
    }

    function close(returnFocus) {
      if (toggle.checked) {
        toggle.checked = false;
        toggle.dispatchEvent(new Event("change"));
        update();
        if (returnFocus) {
          button.focus();
        }
      }
    }

    button.addEventListener("click", function () {
      toggle.checked = !toggle.checked;
      toggle.dispatchEvent(new Event("change"));
      update();
      if (toggle.checked) {
        var first = drawer.querySelector("a.md-nav__link--active") || drawer.querySelector("a[href], button");
        if (first) {
          first.focus();
        }
      }
    });
    toggle.addEventListener("change", update);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.checked) {
        close(true);
      }
    });
    if (narrow.addEventListener) {
      narrow.addEventListener("change", update);
    }
    update();
  }

  function setUp() {
    nameSearchDialog();
    setUpMenu();
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
    var announce = null;

    function apply(immediately) {
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
      var message = wording.replace("{shown}", shown).replace("{total}", rows.length);
      clearTimeout(announce);
      if (immediately) {
        count.textContent = message;
      } else {
        announce = setTimeout(function () {
          count.textContent = message;
        }, COUNT_DELAY);
      }
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

    form.addEventListener("input", function (event) {
      apply(event.target.tagName === "SELECT");
    });
    form.addEventListener("change", function (event) {
      apply(event.target.tagName === "SELECT");
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply(true);
    });
    form.addEventListener("reset", function () {
      setTimeout(function () {
        apply(true);
      }, 0);
    });
    form.hidden = false;
    apply(true);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
