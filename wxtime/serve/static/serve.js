// wxtime serve: small conveniences on top of pages that work without JavaScript.
// Dropping files onto the upload box, checking the limits before sending, one submit at a
// time, and copying the share link. Served as a file so the page's policy can forbid inline
// scripts.
"use strict";
(function () {
  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  function listFiles(input, list) {
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name;
      list.appendChild(item);
    });
  }

  each("[data-drop]", function (box) {
    var input = box.querySelector("input[type=file]");
    var list = box.querySelector("[data-chosen]");
    var hint = box.querySelector("[data-drop-hint]");
    if (!input) return;
    if (hint) hint.hidden = false;
    input.addEventListener("change", function () { listFiles(input, list); });
    box.addEventListener("dragover", function (event) {
      event.preventDefault();
      box.classList.add("over");
    });
    box.addEventListener("dragleave", function () { box.classList.remove("over"); });
    box.addEventListener("drop", function (event) {
      event.preventDefault();
      box.classList.remove("over");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        listFiles(input, list);
      }
    });
  });

  each("form[data-max-bytes]", function (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      var message = form.querySelector("[data-limit-message]");
      if (!input || !message) return;
      var total = 0;
      Array.prototype.forEach.call(input.files, function (file) { total += file.size; });
      var problem = "";
      if (input.files.length > Number(form.dataset.maxFiles)) problem = form.dataset.tooMany;
      else if (total > Number(form.dataset.maxBytes)) problem = form.dataset.tooLarge;
      message.hidden = !problem;
      message.textContent = problem;
      if (problem) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    });
  });

  each("form[data-working]", function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      var button = form.querySelector("button[type=submit]");
      if (!button) return;
      // Disable after the browser has taken the form's data (a disabled button is not sent).
      window.setTimeout(function () {
        button.dataset.label = button.textContent;
        button.disabled = true;
        button.textContent = form.dataset.working;
      }, 0);
    });
  });

  // Coming back with the browser's back button shows the page as it was left: usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    each("form[data-working] button[type=submit][disabled]", function (button) {
      button.disabled = false;
      if (button.dataset.label) button.textContent = button.dataset.label;
    });
  });

  each("[data-copy]", function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.dataset.copied;
      });
    });
  });
})();
