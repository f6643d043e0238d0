// Progressive enhancement only: every page works without this file.
import { initAll } from "./nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// While someone types into a form, keep their session alive: typing sends no request, and
// minutes typed live at an MDT must not be lost to the idle sign-out. If the session has
// already ended, say so before they press save, so they can copy what they typed.
const keepAlive = document.body.dataset.keepAlive;
const KEEP_ALIVE_EVERY_MS = 5 * 60 * 1000;
let lastKeptAlive = 0;

function warnSignedOut(form) {
  if (document.getElementById("jc-signed-out")) return;
  const warning = document.createElement("div");
  warning.id = "jc-signed-out";
  warning.className = "nhsuk-warning-callout";
  warning.setAttribute("role", "alert");
  warning.innerHTML =
    '<h2 class="nhsuk-warning-callout__label">You have been signed out</h2>' +
    "<p>Copy what you have typed before you leave or save this page, " +
    "then sign in again in a new tab and paste it back.</p>";
  form.prepend(warning);
}

if (keepAlive) {
  document.addEventListener("input", (event) => {
    const form = event.target.closest("form");
    if (!form || form.method.toLowerCase() !== "post") return;
    if (Date.now() - lastKeptAlive < KEEP_ALIVE_EVERY_MS) return;
    lastKeptAlive = Date.now();
    const token = form.querySelector("input[name='csrfmiddlewaretoken']");
    fetch(keepAlive, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    })
      .then((response) => {
        if (response.status === 401) warnSignedOut(form);
      })
      .catch(() => {}); // offline for a moment: the next keystroke tries again later
  });
}
