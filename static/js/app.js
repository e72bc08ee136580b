// Leadership Toolbox - app.js. Small and CSP-safe: no eval, no inline code.
//  1. Sends the CSRF token (<meta name="csrf-token" content="...">) as the
//     X-CSRF-Token header on every htmx request.
//  2. <form data-confirm="Really?"> (or a submit button with data-confirm)
//     asks confirm() before submitting; works with and without htmx.
//  3. <button data-copy="text"> copies the text to the clipboard.
//  4. Every form that posts has its submit button disabled while its request
//     runs (htmx's hx-disabled-elt, set here once for all forms rather than on
//     each), so that a double click sends it once; its form key (a hidden
//     field, web.Once) makes a second post that still gets through a no-op.
//  5. After htmx swaps the booking picker (#booking), focus moves to the part
//     that changed (its [data-swap-focus] heading), which also brings it into
//     view on a phone, where the times sit below the month.
//  6. A page (or swap) with a refused form opens the <details> the form
//     sits in and puts the focus on its first field in error.
//  7. After any htmx swap, focus moves to the swapped part's
//     [data-swap-focus] element (if it has one), and the text of its
//     [data-announce] element (or, for a refused form, its error summary)
//     is read out by screen readers through the page's #announcer live region.
//  9. A table too wide for the screen (.table-wrap that scrolls sideways)
//     can be focused and scrolled with the keyboard, and is named after its
//     table's caption or the heading before it.
//  8. The header's menus (<details> in .site-header) close on Escape and on
//     a click outside them; without JavaScript they open and close by their
//     button alone.
(function () {
  "use strict";

  var csrfToken = "";

  function readToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    csrfToken = meta ? meta.getAttribute("content") || "" : "";
  }

  document.addEventListener("DOMContentLoaded", readToken);

  document.addEventListener("htmx:afterSettle", function (evt) {
    var target = evt.detail && evt.detail.target;
    if (target && !target.isConnected && target.id) target = document.getElementById(target.id);
    if (!target || !target.querySelector) return;
    var focus = target.matches("[data-swap-focus]") ? target : target.querySelector("[data-swap-focus]");
    if (focus && !target.querySelector('[aria-invalid="true"], .form-errors')) {
      if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
    var say = target.matches("[data-announce]") ? target : target.querySelector("[data-announce], .form-errors, .flash");
    announce(say ? (say.getAttribute("data-announce") || say.textContent) : "");
  });

  // announce puts text in the #announcer live region (emptied first, so that
  // the same words twice are read twice).
  function announce(text) {
    var region = document.getElementById("announcer");
    text = (text || "").replace(/\s+/g, " ").trim();
    if (!region || !text) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function closeHeaderMenus(except) {
    document.querySelectorAll(".site-header details[open]").forEach(function (d) {
      if (!except || !d.contains(except)) d.open = false;
    });
  }
  document.addEventListener("click", function (evt) {
    if (evt.target && evt.target.closest) closeHeaderMenus(evt.target);
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    var open = evt.target && evt.target.closest ? evt.target.closest(".site-header details[open]") : null;
    closeHeaderMenus(null);
    if (open) open.querySelector("summary").focus();
  });

  // htmx:load fires for the page once htmx has processed it, and for
  // every piece of content it swaps in.
  document.addEventListener("htmx:load", function (evt) {
    var root = evt.detail && evt.detail.elt;
    if (!root || !root.querySelectorAll) return;
    var forms = root.matches && root.matches("form") ? [root] : [];
    forms = forms.concat(Array.prototype.slice.call(root.querySelectorAll("form")));
    forms.forEach(function (form) {
      if ((form.getAttribute("method") || "").toLowerCase() !== "post") return;
      if (form.hasAttribute("hx-disabled-elt") || !form.querySelector("[type=submit]")) return;
      form.setAttribute("hx-disabled-elt", "find [type=submit]");
      // Not for the links and fields inside that make requests of their own.
      form.setAttribute("hx-disinherit", ((form.getAttribute("hx-disinherit") || "") + " hx-disabled-elt").trim());
    });
  });

  function scrollableTables(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth <= wrap.clientWidth || wrap.hasAttribute("tabindex")) return;
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      var caption = wrap.querySelector("caption");
      var heading = caption ? null : wrap.closest("section, .card, main");
      heading = heading ? heading.querySelector("h1, h2, h3") : null;
      wrap.setAttribute("aria-label", ((caption || heading || {}).textContent || "Table").trim() + " (scrolls sideways)");
    });
  }
  document.addEventListener("htmx:load", function (evt) { scrollableTables(evt.detail && evt.detail.elt); });
  window.addEventListener("resize", function () { scrollableTables(document.body); });

  document.addEventListener("htmx:configRequest", function (evt) {
    if (!csrfToken) readToken();
    if (csrfToken && evt.detail && evt.detail.headers) {
      evt.detail.headers["X-CSRF-Token"] = csrfToken;
    }
  });

  // Capture phase, so this runs before htmx's own submit handler and can stop it.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = evt.submitter;
    var text = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  // revealErrors opens every <details> around the first field in error (or
  // the form's error summary) and focuses it, so that a refused form in a
  // collapsed section shows why.
  function revealErrors(root) {
    if (!root || !root.querySelector) return;
    var el = root.querySelector('[aria-invalid="true"]') ||
      root.querySelector(".has-error input, .has-error select, .has-error textarea") ||
      root.querySelector(".form-errors");
    if (!el) return;
    for (var d = el.closest("details"); d; d = d.parentElement ? d.parentElement.closest("details") : null) {
      d.open = true;
    }
    if (el.classList.contains("form-errors")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "center" });
  }

  document.addEventListener("DOMContentLoaded", function () { revealErrors(document.body); });
  document.addEventListener("htmx:afterSettle", function (evt) {
    revealErrors(evt.detail && evt.detail.elt ? evt.detail.elt : document.body);
  });

  document.addEventListener("click", function (evt) {
    var target = evt.target;
    var btn = target && target.closest ? target.closest("button[data-copy]") : null;
    if (!btn) return;
    evt.preventDefault();
    var text = btn.getAttribute("data-copy") || "";
    var done = function () { flashLabel(btn, "Copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text) && done(); });
    } else if (fallbackCopy(text)) {
      done();
    }
  });

  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.className = "visually-hidden";
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok;
  }

  function flashLabel(btn, label) {
    if (btn.getAttribute("data-copy-busy")) return;
    var old = Array.prototype.slice.call(btn.childNodes);
    btn.setAttribute("data-copy-busy", "1");
    btn.textContent = label;
    window.setTimeout(function () {
      btn.replaceChildren.apply(btn, old);
      btn.removeAttribute("data-copy-busy");
    }, 1500);
  }
})();
