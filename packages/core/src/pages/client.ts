/**
 * The little script every page carries. Pages are server-rendered; the script only makes them live, driven
 * by attributes, so a page adds behaviour by markup alone:
 * - `[data-region]` (with an id): replaced by the same element of a freshly fetched page on each update;
 * - `body[data-refresh=N]`: update every N seconds while the tab is visible;
 * - `form[data-live]`: a GET form whose results are fetched as the user types, instead of a reload;
 * - `a[data-swap]`: a link inside a region (paging) fetched the same way;
 * - `details[data-src]`: loads the text at data-src into its <pre> the first time it opens;
 * - `button[data-delete]` (with data-name): asks, then sends DELETE to that path and updates.
 * Fetches are same-origin, so the browser sends the basic-auth credentials it already holds.
 */
export const PAGE_SCRIPT = `(() => {
  const status = (msg) => { const s = document.getElementById("page-status"); if (s) s.textContent = msg; };
  // A region replaced under the keyboard's focus would drop it to the start of the page: the element at the
  // same place in the fresh copy takes the focus back, and boxes scrolled sideways keep their offset.
  const pathIn = (root, el) => { const p = []; for (; el !== root; el = el.parentElement) p.unshift([...el.parentElement.children].indexOf(el)); return p; };
  const atPath = (root, p) => p.reduce((el, i) => el && el.children[i], root);
  async function swap(url, remember) {
    const r = await fetch(url, { headers: { Accept: "text/html" } });
    if (!r.ok) throw new Error("HTTP " + r.status + " " + (await r.text()).trim());
    const doc = new DOMParser().parseFromString(await r.text(), "text/html");
    for (const el of document.querySelectorAll("[data-region]")) {
      const fresh = doc.getElementById(el.id);
      if (!fresh) continue;
      const copy = document.importNode(fresh, true);
      const focused = el.contains(document.activeElement) ? pathIn(el, document.activeElement) : null;
      const offsets = [...el.querySelectorAll(".scroll")].map((box) => box.scrollLeft);
      el.replaceWith(copy);
      copy.querySelectorAll(".scroll").forEach((box, i) => { if (offsets[i]) box.scrollLeft = offsets[i]; });
      if (focused) atPath(copy, focused)?.focus({ preventScroll: true });
    }
    if (remember) history.replaceState(null, "", url);
  }
  const update = (url, remember) => swap(url, remember).then(() => status(""), (e) => status("Update failed: " + e.message));
  const refresh = Number(document.body.dataset.refresh || 0);
  if (refresh > 0) setInterval(() => { if (!document.hidden) update(location.href, false); }, refresh * 1000);
  for (const form of document.querySelectorAll("form[data-live]")) {
    let timer;
    const go = () => update(form.action.split("?")[0] + "?" + new URLSearchParams(new FormData(form)), true);
    form.addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(timer); go(); });
    form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(go, 250); });
    form.addEventListener("change", () => { clearTimeout(timer); go(); });
  }
  document.addEventListener("click", async (e) => {
    const link = e.target.closest("a[data-swap]");
    if (link) { e.preventDefault(); update(link.href, true); return; }
    const del = e.target.closest("button[data-delete]");
    if (!del) return;
    if (!confirm("Delete the group " + del.dataset.name + " and all its metrics?")) return;
    del.disabled = true;
    try {
      const r = await fetch(del.dataset.delete, { method: "DELETE" });
      if (!r.ok) throw new Error("HTTP " + r.status + " " + (await r.text()).trim());
      await swap(location.href, false);
      status("Deleted " + del.dataset.name + ".");
    } catch (err) {
      del.disabled = false;
      status("Delete failed: " + err.message);
    }
  });
  document.addEventListener("toggle", async (e) => {
    const d = e.target;
    if (!(d instanceof HTMLDetailsElement) || !d.open || !d.dataset.src || d.dataset.loaded) return;
    d.dataset.loaded = "1";
    const pre = d.querySelector("pre");
    try {
      const r = await fetch(d.dataset.src);
      pre.textContent = r.ok ? await r.text() : "HTTP " + r.status + ": " + (await r.text());
    } catch (err) {
      pre.textContent = "Could not load: " + err.message;
      delete d.dataset.loaded;
    }
  }, true);
})();`;
