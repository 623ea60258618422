/* Concord's small behaviours. No inline scripts anywhere (CSP): pages opt in
   with data- attributes. */
(function () {
  "use strict";

  // Confirmation before destructive actions: <form data-confirm="Delete this?">
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Copy to clipboard: <button data-copy="#element-id">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var target = document.querySelector(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) return;
    navigator.clipboard.writeText(target.textContent.trim()).then(function () {
      button.textContent = "Copied";
    });
  });

  // The notification bell: <span data-bell="/notifications/bell/">. Its unread
  // count is read when the page loads, when the tab is shown again, after an
  // HTMX action that changes notifications (HX-Trigger: notifications-changed)
  // and every two minutes while the tab is visible: hidden tabs never poll.
  var bell = document.querySelector("[data-bell]");
  if (bell) {
    var refreshBell = function () {
      if (document.visibilityState === "hidden") return;
      fetch(bell.getAttribute("data-bell"), { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) bell.innerHTML = html; })
        .catch(function () { /* offline: keep the last count */ });
    };
    refreshBell();
    document.addEventListener("visibilitychange", refreshBell);
    document.body.addEventListener("notifications-changed", refreshBell);
    window.setInterval(refreshBell, 120000);
  }

  // Filters that apply on change: <form data-autosubmit>
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit")) {
      var page = form.querySelector("input[name=page]");
      if (page) page.value = "";
      form.requestSubmit();
    }
  });

  // Links that act as rows: <tr data-href="/url">
  document.addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-href]");
    if (!row || event.target.closest("a, button, input, select, label")) return;
    window.location.href = row.getAttribute("data-href");
  });

  // HTMX: show a server error as a message rather than failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("htmx-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "htmx-error";
      box.className = "alert alert-danger htmx-error";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    var status = event.detail.xhr.status;
    box.textContent = status === 409
      ? "Someone else changed this since you opened it. Reload the page to see their change."
      : status === 403 ? "Your role does not allow this action."
      : "That did not work (error " + status + "). Reload the page and try again.";
  });
})();
