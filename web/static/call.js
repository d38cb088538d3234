// Hotline Coach: the live call page. It speaks the call websocket protocol
// (DESIGN.md, "Contracts"): server messages {seq, type, ...}; the trainee
// sends {"type":"say","text"} and {"type":"hangup"}. A dropped socket is
// reopened with ?after=<last seq seen>, so nothing is lost or repeated.
// Texts come from data-t-* attributes of #call, set by the server in the
// page's language; nothing here is inline, to suit the page's CSP.
"use strict";

(() => {
  const root = document.getElementById("call");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const data = root.dataset;
  const t = (key, vals) => {
    let s = data["t" + key.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase())] || key;
    for (const [k, v] of Object.entries(vals || {})) s = s.split("{" + k + "}").join(String(v));
    return s;
  };

  const lines = $("lines");
  const phase = $("phase");
  const rings = $("rings");
  const mood = $("mood");
  const moodWord = $("mood-word");
  const timer = $("timer");
  const hints = $("hints");
  const noHints = $("no-hints");
  const form = $("reply");
  const input = $("say");
  const send = $("send");
  const hangup = $("hangup");
  const conn = $("conn");
  const dictate = $("dictate");
  const speakBox = $("speak");

  let lastSeq = Number(data.after || 0);
  let ended = false;
  let answered = data.answered === "1";
  let socket = null;
  let attempt = 0;
  let retryTimer = 0;
  // anchor is the local time (ms) at which ringing began; endAt, once the
  // call ended, the call's length in seconds.
  let anchor = data.started === "1" ? Date.now() - Number(data.elapsed || 0) * 1000 : 0;
  let endAt = -1;

  // --- display -------------------------------------------------------

  function setPhase(p) {
    phase.dataset.phase = p;
    root.dataset.phase = p;
  }

  function showMood(v) {
    mood.value = v;
    mood.textContent = String(v);
    moodWord.textContent = v >= 70 ? moodWord.dataset.angry : v >= 40 ? moodWord.dataset.uneasy : moodWord.dataset.calm;
    moodWord.dataset.level = v >= 70 ? "angry" : v >= 40 ? "uneasy" : "calm";
  }

  function tick() {
    let sec = 0;
    if (endAt >= 0) sec = endAt;
    else if (anchor) sec = (Date.now() - anchor) / 1000;
    sec = Math.max(0, Math.floor(sec));
    timer.textContent = Math.floor(sec / 60) + ":" + String(sec % 60).padStart(2, "0");
  }

  function addLine(speaker, text, seq) {
    const li = document.createElement("li");
    li.className = "line " + speaker;
    if (seq) li.dataset.seq = String(seq);
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = t(speaker);
    const said = document.createElement("span");
    said.className = "said";
    said.textContent = text;
    li.append(who, said);
    lines.append(li);
    li.scrollIntoView({ block: "nearest" });
  }

  function addHint(text, intent) {
    if (!hints) return;
    if (noHints) noHints.hidden = true;
    const li = document.createElement("li");
    li.textContent = text;
    if (intent) li.dataset.intent = intent;
    hints.append(li);
  }

  function setConn(state, text) {
    if (!conn) return;
    conn.dataset.state = state;
    conn.textContent = text;
    const usable = state === "ok" && !ended;
    if (input) input.disabled = !usable;
    if (send) send.disabled = !usable;
    if (hangup) hangup.disabled = !usable;
    if (dictate) dictate.disabled = !usable;
  }

  // --- speech ----------------------------------------------------------

  const synth = window.speechSynthesis;
  if (synth && speakBox) {
    $("speak-wrap").hidden = false;
    speakBox.checked = localStorage.getItem("coach.speak") === "1";
    speakBox.addEventListener("change", () => {
      localStorage.setItem("coach.speak", speakBox.checked ? "1" : "0");
      if (!speakBox.checked) synth.cancel();
    });
  }

  function zhVoice() {
    const voices = synth.getVoices();
    return voices.find((v) => v.lang === "zh-CN") || voices.find((v) => /^zh/i.test(v.lang)) || null;
  }

  function speak(text) {
    if (!synth || !speakBox || !speakBox.checked) return;
    const u = new SpeechSynthesisUtterance(text);
    u.lang = "zh-CN";
    const v = zhVoice();
    if (v) u.voice = v;
    synth.speak(u);
  }

  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (Recognition && dictate && input) {
    let rec = null;
    dictate.hidden = false;
    const stop = () => {
      dictate.setAttribute("aria-pressed", "false");
      dictate.textContent = t("dictate");
      rec = null;
    };
    dictate.addEventListener("click", () => {
      if (rec) {
        rec.stop();
        return;
      }
      rec = new Recognition();
      rec.lang = "zh-CN";
      rec.interimResults = true;
      rec.continuous = false;
      const before = input.value;
      rec.addEventListener("result", (e) => {
        let heard = "";
        for (const r of e.results) heard += r[0].transcript;
        input.value = before + heard;
      });
      rec.addEventListener("end", stop);
      rec.addEventListener("error", stop);
      dictate.setAttribute("aria-pressed", "true");
      dictate.textContent = t("dictate-stop");
      rec.start();
      input.focus();
    });
  }

  // --- the socket ------------------------------------------------------

  function handle(m) {
    if (typeof m.seq === "number" && m.seq > lastSeq) lastSeq = m.seq;
    // The desk (desk.js) hears every message too.
    root.dispatchEvent(new CustomEvent("coach:message", { detail: m }));
    if (typeof m.at === "number" && m.type !== "error") {
      const a = Date.now() - m.at * 1000;
      anchor = anchor ? Math.min(anchor, a) : a;
    }
    switch (m.type) {
      case "ring":
        if (!answered) setPhase("ringing");
        rings.textContent = t("ring-n", { n: m.n });
        break;
      case "customer":
        addLine("customer", m.text, m.seq);
        speak(m.text);
        break;
      case "hint":
        addHint(m.text, m.intent);
        break;
      case "mood":
        showMood(m.value);
        break;
      case "error":
        setConn("error", m.message);
        break;
      case "end":
        finish(m);
        break;
    }
  }

  function finish(m) {
    ended = true;
    endAt = typeof m.at === "number" ? m.at : (Date.now() - anchor) / 1000;
    tick();
    setPhase("ended");
    setConn("closed", t("conn-closed"));
    for (const el of document.querySelectorAll("[data-outcome]")) el.hidden = el.dataset.outcome !== m.outcome;
    const card = m.scorecard || {};
    if (typeof card.score === "number") {
      $("end-score").textContent = card.score + " / 100";
      const p = $("end-passed");
      p.textContent = card.passed ? "✓ " + t("passed") : "✗ " + t("failed");
      p.classList.add(card.passed ? "pass" : "fail");
    }
    $("end").hidden = false;
    if (form) form.hidden = true;
    $("see-card").focus();
  }

  function connect() {
    if (!data.ws || ended) return;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const url = proto + "//" + location.host + data.ws + "?after=" + lastSeq;
    setConn("wait", t("conn-wait"));
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener("open", () => {
      attempt = 0;
      setConn("ok", t("conn-ok"));
      if (!anchor) setPhase("ringing");
      if (input && !ended) input.focus();
    });
    ws.addEventListener("message", (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      handle(m);
    });
    ws.addEventListener("close", () => {
      if (socket !== ws) return;
      socket = null;
      if (ended) return;
      // Back off 0.5 s, 1 s, 2 s … up to 15 s; the call goes on at the
      // server meanwhile and every message is replayed after lastSeq.
      attempt++;
      const wait = Math.min(15, 0.5 * 2 ** (attempt - 1));
      setConn("retry", t("conn-retry", { s: Math.ceil(wait), n: attempt }));
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, wait * 1000);
    });
  }

  function sendMsg(m) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(m));
    return true;
  }
  // The desk sends its lookups and work orders over this socket.
  root.addEventListener("coach:send", (e) => {
    e.detail.sent = !ended && sendMsg(e.detail.msg);
  });

  if (form) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text || ended) return;
      if (!sendMsg({ type: "say", text })) return;
      answered = true;
      setPhase("talking");
      addLine("trainee", text, 0);
      input.value = "";
      input.focus();
    });
    // Enter that confirms an input-method candidate must not send.
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.isComposing || e.keyCode === 229)) e.preventDefault();
    });
  }
  if (hangup) {
    hangup.addEventListener("click", () => {
      if (ended || !window.confirm(t("hangup-ask"))) return;
      sendMsg({ type: "hangup" });
    });
  }

  if (data.started === "1") setPhase(answered ? "talking" : "ringing");
  showMood(Number(mood.value));
  tick();
  setInterval(tick, 1000);
  connect();
})();
