// Hotline Coach: the agent's desk beside the call. It looks the caller up
// in the service system ({"type":"lookup","by","value"} → record) and fills
// in and submits the work order ({"type":"ticket","ticket":{…}} → ticket,
// with its number and state), also in the wrap-up after the caller hangs up
// (wrapup → until), which a second hang-up ends. It shares the call's
// socket through two events on #call that call.js provides: "coach:message"
// brings every server message, "coach:send" sends one (detail.sent says
// whether it went). Texts come from data-t-* attributes of #desk.
"use strict";

(() => {
  const root = document.getElementById("call");
  const desk = document.getElementById("desk");
  if (!root || !desk) return;
  const $ = (id) => document.getElementById(id);
  const data = desk.dataset;
  const t = (key, vals) => {
    let s = data["t" + key.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase())] || key;
    for (const [k, v] of Object.entries(vals || {})) s = s.split("{" + k + "}").join(String(v));
    return s;
  };

  const lookupForm = $("desk-lookup");
  const lookupBy = $("lookup-by");
  const lookupValue = $("lookup-value");
  const recordBox = $("desk-record");
  const ticketForm = $("desk-ticket");
  const submit = $("ticket-submit");
  const number = $("ticket-number");
  const wrap = $("wrapup");
  const wrapLeft = $("wrapup-left");
  const wrapDone = $("wrapup-done");
  const typeSel = $("tk-type");
  const status = $("desk-status");

  let anchor = 0; // local ms at which ringing began, as call.js reckons it
  let wrapUntil = -1; // seconds since ringing; -1 before the wrap-up
  let over = false; // the scorecard is final
  let lastRecord = null;

  function send(msg) {
    const ev = new CustomEvent("coach:send", { detail: { msg, sent: false } });
    root.dispatchEvent(ev);
    return ev.detail.sent;
  }

  function say(text) {
    status.textContent = text;
  }

  // --- the record ------------------------------------------------------

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function row(dl, label, value) {
    if (value === undefined || value === null || value === "") return;
    dl.append(el("dt", "", label), el("dd", "", String(value)));
  }

  function list(title, items, fmt) {
    if (!items || !items.length) return null;
    const sec = el("section", "desk-list");
    sec.append(el("h4", "", title));
    const ul = el("ul");
    for (const it of items) ul.append(el("li", "", fmt(it)));
    sec.append(ul);
    return sec;
  }

  function money(v) {
    return Number(v).toFixed(2) + " " + t("yuan");
  }

  function showRecord(m) {
    recordBox.replaceChildren();
    recordBox.hidden = false;
    if (!m.found || !m.record) {
      lastRecord = null;
      recordBox.append(el("p", "desk-none", t("not-found")));
      return;
    }
    const r = m.record;
    lastRecord = r;
    recordBox.append(el("h3", "", t("record")));
    const dl = el("dl", "desk-fields");
    row(dl, t("account"), r.account);
    row(dl, t("name"), r.name);
    row(dl, t("phone"), r.phone);
    row(dl, t("address"), r.address);
    if (r.balance) row(dl, t("balance"), money(r.balance));
    recordBox.append(dl);
    const parts = [
      list(t("arrears"), r.arrears, (a) => a.period + " · " + money(a.amount) + (a.due ? " · " + t("due", { date: a.due }) : "")),
      list(t("bills"), r.bills, (b) => b.period + " · " + money(b.amount) + (b.usage ? " · " + b.usage + " " + (b.unit || "") : "")),
      list(t("payments"), r.payments, (p) => p.date + " · " + money(p.amount) + " · " + p.channel),
      list(t("tickets"), r.tickets, (k) => k.date + " · " + k.number + " · " + k.summary + " · " + k.state),
      list(t("notes"), r.notes, (n) => n),
    ];
    const a = r.area || {};
    parts.push(list(t("outages") + (a.name ? " · " + a.name : ""), a.outages, (o) => o.scope + " · " + o.from + "–" + o.until + " · " + o.reason));
    parts.push(list(t("notices"), a.notices, (n) => n));
    if (a.heating) {
      const h = a.heating;
      parts.push(list(t("heating"), [h], () => t("heating-line", { station: h.station || a.name || "", supply: h.supply, back: h.return, neighbours: h.neighbours })));
    }
    for (const p of parts) if (p) recordBox.append(p);
    const copy = el("button", "secondary", t("copy"));
    copy.type = "button";
    copy.id = "record-copy";
    copy.addEventListener("click", () => {
      for (const f of ["name", "phone", "address", "account"]) {
        const input = $("tk-" + f);
        if (input && !input.value && lastRecord && lastRecord[f]) input.value = lastRecord[f];
      }
    });
    recordBox.append(copy);
  }

  if (lookupForm) {
    lookupForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const value = lookupValue.value.trim();
      if (!value || over) return;
      if (!send({ type: "lookup", by: lookupBy.value, value })) {
        say(t("offline"));
        return;
      }
      say(t("looking"));
    });
  }

  // --- the work order --------------------------------------------------

  function showGrade() {
    const complaint = typeSel && typeSel.value === "complaint";
    $("tk-grade-wrap").hidden = !complaint;
    $("tk-urgency-wrap").hidden = complaint;
  }
  if (typeSel) {
    typeSel.addEventListener("change", showGrade);
    showGrade();
  }

  if (ticketForm) {
    ticketForm.addEventListener("submit", (e) => {
      e.preventDefault();
      if (over) return;
      const ticket = {};
      for (const f of ["name", "phone", "address", "account", "type", "urgency", "grade", "team", "promise", "note"]) {
        const input = $("tk-" + f);
        if (!input) continue;
        if (input.closest("[hidden]")) continue;
        const v = input.value.trim();
        if (v) ticket[f] = v;
      }
      if (!send({ type: "ticket", ticket })) {
        say(t("offline"));
        return;
      }
      say(t("submitting"));
    });
  }

  function showTicket(m) {
    number.hidden = false;
    const label = desk.querySelector('[data-state-label="' + CSS.escape(m.state || "") + '"]');
    number.textContent = t("number", { number: m.number, state: label ? label.textContent : m.state });
    number.dataset.number = m.number;
    submit.textContent = t("update");
    say(t("submitted"));
  }

  // --- the wrap-up -----------------------------------------------------

  function tick() {
    if (wrapUntil < 0 || over || !anchor) return;
    const left = Math.max(0, Math.ceil(wrapUntil - (Date.now() - anchor) / 1000));
    wrapLeft.textContent = String(left);
  }

  if (wrapDone) {
    wrapDone.addEventListener("click", () => {
      if (over) return;
      send({ type: "hangup" });
    });
  }

  function finish() {
    over = true;
    wrap.hidden = true;
    desk.dataset.over = "1";
    for (const b of desk.querySelectorAll("button, input, select, textarea")) b.disabled = true;
    say(t("final"));
  }

  root.addEventListener("coach:message", (e) => {
    const m = e.detail;
    if (typeof m.at === "number" && m.type !== "error") {
      const a = Date.now() - m.at * 1000;
      anchor = anchor ? Math.min(anchor, a) : a;
    }
    switch (m.type) {
      case "record":
        showRecord(m);
        say(m.found ? t("found") : t("not-found"));
        break;
      case "ticket":
        showTicket(m);
        break;
      case "wrapup":
        wrapUntil = m.until;
        root.dataset.phase = "wrapup";
        if ($("phase")) $("phase").dataset.phase = "ended";
        wrap.hidden = false;
        tick();
        if (!number.dataset.number) $("tk-name").focus();
        break;
      case "end":
        finish();
        break;
    }
  });
  // What the desk showed before the page was (re)loaded.
  if (data.record) {
    try {
      showRecord(JSON.parse(data.record));
    } catch {
      // A record the page could not read is shown again on the next lookup.
    }
  }
  if (data.number) showTicket({ number: data.number, state: data.state });
  if (data.wrapUntil) {
    wrapUntil = Number(data.wrapUntil);
    root.dataset.phase = "wrapup";
    if ($("phase")) $("phase").dataset.phase = "ended";
    wrap.hidden = false;
  }
  setInterval(tick, 500);
})();
