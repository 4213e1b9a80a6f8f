// Behaviour shared by every dashboard page, kept out of the HTML so a strict Content-Security-
// Policy can forbid inline scripts: the folding menu on phones, selects that submit their form,
// tag suggestions, modal dialogs that htmx loads, in-place editors, forms that ask before they
// go (`data-confirm`), copy buttons (`data-copy`), and the rows a form adds and removes
// (`data-take-index`, `data-remove-row`).
//
// Loaded in <head> without `defer`: it marks the page as scripted before the first paint, so
// the phone menu starts folded instead of flashing open. Everything else waits for the DOM.
document.documentElement.classList.add("js");

(function () {
  "use strict";

  // --- The phone menu --------------------------------------------------------------------
  function setMenu(open) {
    var sidebar = document.getElementById("sidebar");
    var toggle = document.querySelector("[data-nav-toggle]");
    if (!sidebar || !toggle) return;
    sidebar.classList.toggle("nav-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      setMenu(toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    var close = event.target.closest("[data-close-modal]");
    if (close) {
      var dialog = close.closest("dialog");
      if (dialog) dialog.close();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var toggle = document.querySelector("[data-nav-toggle]");
    if (toggle && toggle.getAttribute("aria-expanded") === "true") {
      setMenu(false);
      toggle.focus();
      return;
    }
    // Escape in an in-place editor is its Cancel (asked for directly: a quick Escape may come
    // before htmx has wired up the editor it just swapped in).
    var editor = event.target.closest && event.target.closest(".inline-editor");
    var cancel = editor && editor.querySelector("[data-cancel]");
    if (cancel && window.htmx) {
      htmx.ajax("GET", cancel.getAttribute("hx-get"), {
        source: cancel,
        target: cancel.getAttribute("hx-target"),
        swap: "outerHTML",
      });
    }
  });

  // --- Selects that submit their form (filters, the workspace switch) --------------------
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit();
    toggleCallOnly(event.target.closest("[data-touch-form]"));
  });

  // --- A contact's "log a touch" form shows call outcomes only for a call ----------------
  function toggleCallOnly(form) {
    if (!form) return;
    var kind = form.querySelector("input[name=kind]:checked");
    form.querySelectorAll("[data-call-only]").forEach(function (part) {
      part.hidden = !!kind && kind.value !== "call";
    });
  }

  // --- Tags typed comma-separated: suggest the workspace's tags for the last name --------
  document.addEventListener("input", function (event) {
    var input = event.target.closest("input[data-tags]");
    if (!input) return;
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var cut = input.value.lastIndexOf(",");
    var before = cut < 0 ? "" : input.value.slice(0, cut + 1).replace(/\s*$/, " ");
    list.querySelectorAll("option").forEach(function (option) {
      if (!option.dataset.name) option.dataset.name = option.value;
      option.value = before + option.dataset.name;
    });
  });

  // --- htmx: forms answer 422 with their errors, which are swapped in like any answer ----
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // --- Modal dialogs that htmx brings in (a task's completion form) ----------------------
  function openModals(root) {
    var dialogs = root.matches && root.matches("dialog[data-modal]") ? [root] : [];
    if (root.querySelectorAll) {
      dialogs = dialogs.concat(Array.from(root.querySelectorAll("dialog[data-modal]")));
    }
    dialogs.forEach(function (dialog) {
      if (dialog.open) return;
      dialog.addEventListener("close", function () {
        // Back to where the rep was, and the dialog goes: the next one is fetched fresh.
        var opener = document.querySelector("[data-modal-opener]");
        dialog.remove();
        if (opener) {
          opener.removeAttribute("data-modal-opener");
          if (document.contains(opener)) opener.focus();
        }
      });
      dialog.showModal();
      var first = dialog.querySelector("input:checked, input, textarea, select");
      if (first) first.focus();
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var opener = event.detail.elt;
    if (opener && opener.getAttribute && opener.getAttribute("hx-target") === "body") {
      document.querySelectorAll("[data-modal-opener]").forEach(function (old) {
        old.removeAttribute("data-modal-opener");
      });
      opener.setAttribute("data-modal-opener", "");
    }
  });

  document.addEventListener("htmx:load", function (event) {
    openModals(event.detail.elt);
    event.detail.elt.querySelectorAll &&
      event.detail.elt.querySelectorAll("[data-touch-form]").forEach(toggleCallOnly);
  });

  // A form in a modal closes it once it has done its job (a 2xx answer).
  document.addEventListener("htmx:afterRequest", function (event) {
    var dialog = event.detail.elt.closest && event.detail.elt.closest("dialog[data-modal]");
    if (dialog && event.detail.successful && event.detail.xhr.status < 300) dialog.close();
  });

  // In a call's outcome list, the keys 1 to 6 choose an outcome.
  document.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("[data-outcome-form]");
    if (!form || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.matches("textarea, input[type=text]")) return;
    var choices = form.querySelectorAll("input[name=call_outcome]");
    var index = parseInt(event.key, 10);
    if (index >= 1 && index <= choices.length) {
      choices[index - 1].checked = true;
      choices[index - 1].focus();
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-touch-form]").forEach(toggleCallOnly);
  });

  // --- Forms that ask before they do something that cannot be undone -----------------------
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // --- Copy buttons: data-copy names the element whose text (or value) is copied ----------
  function copyText(button) {
    var source = document.querySelector(button.dataset.copy);
    if (!source) return;
    var text = source.matches("input, textarea") ? source.value : source.textContent;
    var label = button.textContent;
    var copied = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(copied);
    } else if (source.select) {
      source.select();
      document.execCommand("copy");
      copied();
    }
  }

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      copyText(copy);
      return;
    }
    var selectable = event.target.closest("input[data-select-on-click]");
    if (selectable) {
      selectable.select();
      return;
    }
    // A formset row is hidden and marked for deletion, so the server removes it on save.
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var row = remove.closest(remove.dataset.removeRow);
      row.querySelector('input[name$="-DELETE"]').checked = true;
      row.hidden = true;
    }
  });

  // --- A button that adds a formset row sends the next form number of that formset --------
  document.addEventListener("htmx:configRequest", function (event) {
    var prefix = event.detail.elt.dataset && event.detail.elt.dataset.takeIndex;
    if (!prefix) return;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var index = Number(total.value);
    total.value = index + 1;
    event.detail.parameters.index = index;
  });
})();
