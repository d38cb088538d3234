// Hotline Coach authoring pages: the editor's live validation, saving,
// golden transcript runs, file import and the phrase tester. The server
// does every check; this file only sends drafts and shows the answers.
"use strict";

(() => {
  async function postJSON(url, body) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    return { status: res.status, data };
  }

  function errorText(r) {
    if (r.data && r.data.error) return r.data.error.message;
    return "HTTP " + r.status;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function lineLabel(fmt, n) { return fmt.replace("%d", String(n)); }

  // showIssues lists problems, each in the page's language (text; the
  // message as the checks wrote it when there is none). A problem in the
  // edited file is a link: following it scrolls the editor to its line.
  function showIssues(list, issues, mainFile, lineFmt, onLine, fieldWord) {
    list.replaceChildren();
    for (const is of issues) {
      const li = el("li");
      const here = onLine && is.file === mainFile && is.line;
      const where = (is.file === mainFile || !mainFile) && is.line ? lineLabel(lineFmt, is.line) : is.file + (is.line ? " · " + lineLabel(lineFmt, is.line) : "");
      const box = el(here ? "a" : "span", "issue");
      if (here) {
        box.href = "#body";
        box.dataset.line = String(is.line);
        box.addEventListener("click", (ev) => { ev.preventDefault(); onLine(is.line); });
      }
      box.append(el("span", "where", where));
      if (is.field) box.append(" ", el("span", "field", (fieldWord ? fieldWord + " " : "") + is.field));
      box.append(" ", el("span", "msg", is.text || is.message));
      li.append(box);
      list.append(li);
    }
  }

  function setupEditor(form) {
    const d = form.dataset;
    const body = document.getElementById("body");
    const gutter = document.getElementById("gutter");
    const status = document.getElementById("status");
    const issuesList = document.getElementById("issues");
    const problems = document.getElementById("problems");
    const problemsTitle = document.getElementById("problems-title");
    const blocked = document.getElementById("golden-blocked");
    const idInput = document.getElementById("unit-id");
    const kind = d.kind;
    let parent = parseInt(d.parent || "0", 10);
    let errLines = new Map();
    let timer = null;
    let seq = 0;

    const unitID = () => (idInput ? idInput.value.trim() : d.id);
    const mainFile = () => kind === "scenario" ? "scenarios/" + unitID() + "/scenario.yaml" : "phrasebook/" + unitID() + ".yaml";

    function draft() {
      const out = { kind, id: unitID(), body: body.value };
      if (kind === "scenario") {
        out.golden = {};
        for (const g of document.querySelectorAll("#goldens .golden")) {
          const name = g.querySelector(".golden-name").value.trim();
          if (name) out.golden[name] = g.querySelector(".golden-body").value;
        }
      }
      return out;
    }

    function drawGutter() {
      const n = body.value.split("\n").length;
      const frag = document.createDocumentFragment();
      for (let i = 1; i <= n; i++) {
        const s = el("span", errLines.has(i) ? "ln err" : "ln", String(i));
        if (errLines.has(i)) s.title = errLines.get(i).join("\n");
        frag.append(s, "\n");
      }
      gutter.replaceChildren(frag);
      gutter.scrollTop = body.scrollTop;
    }

    // goToLine brings the editor into view, selects the line and
    // scrolls the editor's own box so that the line sits near its top.
    function goToLine(line) {
      const lines = body.value.split("\n");
      let pos = 0;
      for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
      body.closest(".code").scrollIntoView({ block: "start" });
      body.focus({ preventScroll: true });
      body.setSelectionRange(pos, pos + (lines[line - 1] || "").length);
      const lh = parseFloat(getComputedStyle(body).lineHeight) || 18;
      body.scrollTop = Math.max(0, (line - 4) * lh);
      gutter.scrollTop = body.scrollTop;
    }

    function render(issues) {
      errLines = new Map();
      for (const is of issues) {
        if (is.file === mainFile() && is.line) {
          if (!errLines.has(is.line)) errLines.set(is.line, []);
          errLines.get(is.line).push((is.field ? is.field + ": " : "") + is.message);
        }
      }
      drawGutter();
      showIssues(issuesList, issues, mainFile(), d.textLine, goToLine, d.textField);
      problems.hidden = issues.length === 0;
      problemsTitle.textContent = d.textProblems.replace("{n}", String(issues.length));
      status.textContent = issues.length ? "" : d.textOk;
      if (blocked && issues.length === 0) blocked.hidden = true;
    }

    async function validate() {
      if (!unitID()) return;
      const mine = ++seq;
      status.textContent = d.textChecking;
      const r = await postJSON("/api/author/validate", draft());
      if (mine !== seq) return; // a newer check is on its way
      if (r.status !== 200) { status.textContent = errorText(r); return; }
      render(r.data.issues || []);
    }

    function changed() {
      status.textContent = d.textUnsaved;
      drawGutter();
      clearTimeout(timer);
      timer = setTimeout(validate, 400);
    }

    body.addEventListener("input", changed);
    body.addEventListener("scroll", () => { gutter.scrollTop = body.scrollTop; });
    if (idInput) idInput.addEventListener("input", changed);
    form.addEventListener("input", (ev) => { if (ev.target.closest(".golden")) changed(); });

    const goldens = document.getElementById("goldens");
    const tmpl = document.getElementById("golden-template");
    const add = document.getElementById("golden-add");
    if (add && tmpl) add.addEventListener("click", () => goldens.append(tmpl.content.cloneNode(true)));
    if (goldens) goldens.addEventListener("click", (ev) => {
      if (ev.target.classList.contains("golden-remove")) { ev.target.closest(".golden").remove(); changed(); }
    });

    const run = document.getElementById("golden-run");
    const results = document.getElementById("golden-results");
    if (run) run.addEventListener("click", async () => {
      run.disabled = true;
      const r = await postJSON("/api/author/golden", draft());
      run.disabled = false;
      results.replaceChildren();
      if (r.status !== 200) { status.textContent = errorText(r); return; }
      const issues = r.data.issues || [];
      render(issues);
      // A draft with problems cannot be replayed: say so beside the
      // button, and show the problems.
      if (blocked) {
        blocked.hidden = issues.length === 0;
        blocked.textContent = d.textBlocked.replace("{n}", String(issues.length));
      }
      const rows = r.data.results || [];
      if (rows.length) {
        const h = results.dataset;
        const head = el("tr");
        for (const k of [h.hName, h.hResult, h.hDetail]) head.append(el("th", "", k));
        results.append(head);
      }
      for (const g of rows) {
        const tr = el("tr", g.ok ? "ok" : "bad");
        tr.append(el("td", "", kind === "scenario" ? g.name : g.scenario + " · " + g.name), el("td", "", g.ok ? d.textResultOk : d.textResultBad),
          el("td", "small", g.text));
        results.append(tr);
      }
    });

    document.getElementById("save").addEventListener("click", async () => {
      const req = draft();
      req.message = document.getElementById("message").value;
      req.parent = parent;
      const r = await postJSON("/api/author/save", req);
      if (r.status === 409) { status.textContent = d.textConflict; return; }
      if (r.status !== 200) { status.textContent = errorText(r); return; }
      parent = r.data.revision.n;
      window.location.assign(r.data.url);
    });

    drawGutter();
    validate();
  }

  function setupImport(form) {
    const input = document.getElementById("import-files");
    const list = document.getElementById("import-issues");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const files = [];
      for (const f of input.files) files.push({ name: f.name, body: await f.text() });
      const r = await postJSON("/api/author/import", { files });
      if (r.status !== 200) { showIssues(list, [{ file: "", line: 0, field: "", message: errorText(r) }], "", "", null, ""); return; }
      window.location.assign(r.data.url);
    });
  }

  function setupTester(form) {
    const out = document.getElementById("tester-results");
    const list = document.getElementById("tester-issues");
    const h = out.dataset;
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const req = { text: document.getElementById("tester-text").value, scenario: document.getElementById("tester-scenario").value };
      const draftBody = document.getElementById("tester-draft").value;
      const draftID = document.getElementById("tester-draft-id").value.trim();
      if (draftBody.trim() !== "") req.phrases = { kind: "phrases", id: draftID, body: draftBody };
      const r = await postJSON("/api/author/match", req);
      out.replaceChildren();
      if (r.status !== 200) { showIssues(list, [{ file: "", line: 0, field: "", message: errorText(r) }], "", "", null, ""); return; }
      showIssues(list, r.data.issues || [], "", form.dataset.textLine, null, "");
      for (const line of r.data.lines) {
        const box = el("div", "tested");
        const chars = Array.from(line.text);
        const text = el("p", "tested-text");
        // Mark every character some hit covers.
        const covered = new Array(chars.length).fill(false);
        for (const hit of line.hits) for (let i = hit.start; i < hit.end && i < chars.length; i++) covered[i] = true;
        let i = 0;
        while (i < chars.length) {
          let j = i;
          while (j < chars.length && covered[j] === covered[i]) j++;
          const part = chars.slice(i, j).join("");
          text.append(covered[i] ? el("mark", "", part) : part);
          i = j;
        }
        box.append(text);
        if (line.hits.length === 0) {
          box.append(el("p", "muted small", form.dataset.textNone));
        } else {
          // Each hit in words: the span, its intent and kind by name,
          // the entry's wording, how close, and the items it counts for.
          const t = el("table", "units");
          const head = el("tr");
          for (const k of [h.hSaid, h.hIntent, h.hKind, h.hEntry, h.hScore, h.hItems]) head.append(el("th", "", k));
          t.append(head);
          for (const hit of line.hits) {
            const tr = el("tr", hit.kind);
            tr.dataset.entry = hit.id;
            tr.append(el("td", "", "「" + hit.said + "」"), el("td", "", hit.intent_name || hit.intent), el("td", "", hit.kind_name || hit.kind),
              el("td", "", hit.wording || hit.id), el("td", "", Math.round(hit.score * 100) + "%"), el("td", "", (hit.items || []).join("、")));
            t.append(tr);
          }
          box.append(t);
        }
        out.append(box);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const editor = document.getElementById("editor");
    if (editor) setupEditor(editor);
    const imp = document.getElementById("import");
    if (imp) setupImport(imp);
    const tester = document.getElementById("tester");
    if (tester) setupTester(tester);
  });
})();
