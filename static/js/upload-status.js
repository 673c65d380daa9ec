// Upload status: ask the server for progress every 2 seconds and update the page in place (an
// aria-live region and a progress bar); when checking is over, load the page once to show the
// result. Without JavaScript the page offers a "Check again" link instead.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("upload-progress");
    if (!box) return;
    var url = box.getAttribute("data-progress-url");
    var text = box.querySelector("[data-progress-text]");
    var bar = box.querySelector("progress");
    var number = new Intl.NumberFormat("en-US");
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (p) {
          if (p.finished) {
            window.location.reload();
            return;
          }
          var total = Math.max(p.total, p.checked, 1);
          text.textContent = "We are checking your file: " + number.format(p.checked) + " of about " +
            number.format(total) + " records checked.";
          bar.max = total;
          bar.value = p.checked;
          bar.textContent = p.checked + " of " + total;
          window.setTimeout(poll, 2000);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
