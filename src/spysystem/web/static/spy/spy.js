/* Spy System — small progressive enhancements; every page also works without JavaScript.
 *
 * 1. "Testar envio": the <dialog> is rendered open, as a plain part of the SMTP form. Here it is
 *    closed and opened as a modal by the "Testar envio" button; OK posts the form in the
 *    background (header X-Spy-Partial) and shows the answer inside the dialog, so the password
 *    typed in the form stays where it is.
 * 2. Menu groups (<details>): close when clicking elsewhere or pressing Escape.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setUpTestDialog(dialog) {
    var form = dialog.closest("form");
    if (!form || typeof dialog.showModal !== "function") return;
    var openOnLoad = dialog.hasAttribute("data-open-on-load");
    dialog.close();
    if (openOnLoad) dialog.showModal();

    function send() {
      var button = dialog.querySelector("[data-test-submit]");
      var area = dialog.querySelector("[data-test-result]");
      var body = new FormData(form);
      body.set("action", "test");
      button.disabled = true;
      area.textContent = dialog.dataset.busyText;
      // getAttribute: the buttons named "action" shadow form.action.
      fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Spy-Partial": "smtp-test" },
      })
        .then(function (response) {
          if (response.redirected) {
            window.location.assign(response.url); // session expired: the login page
            return null;
          }
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          if (html === null) return;
          dialog.innerHTML = html; // rendered and escaped by the server
          var result = dialog.querySelector("[data-test-result]");
          var invalid = dialog.querySelector(".field--error input");
          (invalid || result).focus();
        })
        .catch(function () {
          button.disabled = false;
          area.textContent = dialog.dataset.errorText;
        });
    }

    document.querySelectorAll('[data-dialog-open="' + dialog.id + '"]').forEach(function (opener) {
      opener.addEventListener("click", function () {
        dialog.showModal();
        var input = dialog.querySelector("input");
        if (input) input.focus();
      });
    });
    dialog.addEventListener("click", function (event) {
      if (event.target.closest("[data-dialog-close]")) dialog.close();
    });
    // Enter in the dialog's field must test, not "Gravar" (the form's default button).
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.tagName === "INPUT") {
        event.preventDefault();
        send();
      }
    });
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.hasAttribute("data-test-submit")) {
        event.preventDefault();
        send();
      }
    });
  }

  function setUpMenu() {
    var groups = document.querySelectorAll(".menu details");
    document.addEventListener("click", function (event) {
      groups.forEach(function (group) {
        if (!group.contains(event.target)) group.open = false;
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      groups.forEach(function (group) {
        if (group.open) {
          group.open = false;
          group.querySelector("summary").focus();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("dialog[data-test-dialog]").forEach(setUpTestDialog);
    setUpMenu();
  });
})();
