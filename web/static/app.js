// Hotline Coach: small progressive enhancements. Every page works without
// this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A checkbox with data-reveal="ID" shows and hides the password field ID.
  for (const box of document.querySelectorAll("input[data-reveal]")) {
    const field = document.getElementById(box.dataset.reveal);
    if (!field) continue;
    box.addEventListener("change", () => {
      field.type = box.checked ? "text" : "password";
    });
  }

  // A form marked data-once disables its submit button once sent, so a
  // double click does not post twice.
  for (const form of document.querySelectorAll("form[data-once]")) {
    form.addEventListener("submit", () => {
      for (const b of form.querySelectorAll("button[type=submit]")) b.disabled = true;
    });
  }
});
