// The USWDS date picker rebuilds its text box from a valid date only, so a date typed in the
// wrong format vanished next to its error message. Put what was typed back in the box.
(function () {
  "use strict";
  function restore() {
    document.querySelectorAll(".usa-date-picker[data-typed-value]").forEach(function (picker) {
      var box = picker.querySelector(".usa-date-picker__external-input");
      if (box && !box.value) box.value = picker.getAttribute("data-typed-value");
    });
  }
  // USWDS enhances the pickers when the document is ready; this runs after it.
  if (document.readyState === "complete") restore();
  else window.addEventListener("load", restore);
})();
