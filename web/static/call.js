// Hotline Coach: the live call page. It speaks the call websocket protocol
// (docs/contracts.md): server messages {seq, type, ...}; the trainee
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
  const moodBox = $("mood-box");
  const steps = $("steps");
  const stepsCount = $("steps-count");
  const ringerBox = $("ringer");
  const ringTip = $("ring-tip");

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
    // The mood shows once the caller has said something.
    if (moodBox && lines.querySelector("li.customer")) moodBox.hidden = false;
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

  // addHint shows a hint once: a hint given again moves to the end.
  function addHint(text, intent) {
    if (!hints) return;
    if (noHints) noHints.hidden = true;
    for (const old of hints.querySelectorAll("li")) if (old.textContent === text) old.remove();
    const li = document.createElement("li");
    li.textContent = text;
    if (intent) li.dataset.intent = intent;
    hints.append(li);
  }

  // markSteps marks the checklist items done so far.
  function markSteps(done) {
    if (!steps) return;
    const set = new Set(done || []);
    let n = 0;
    for (const li of steps.querySelectorAll("li[data-item]")) {
      const d = set.has(li.dataset.item);
      if (d) n++;
      li.className = d ? "done" : "todo";
      li.querySelector(".mark").textContent = d ? "✓" : "○";
      const st = li.querySelector(".step-state");
      st.textContent = d ? st.dataset.done : st.dataset.todo;
    }
    if (stepsCount) stepsCount.textContent = stepsCount.dataset.text.replace("{done}", String(n)).replace("{of}", stepsCount.dataset.of);
  }

  // --- the ring tone ---------------------------------------------------
  // A phone's ring drawn with Web Audio: two short bursts of two mixed
  // tones per ring, played on each ring message until the call is
  // answered. Browsers keep audio off until the page is touched; then a
  // button offers to turn it on.

  const AudioCtx = window.AudioContext || window.webkitAudioContext;
  let audio = null;

  function ringerOn() {
    return ringerBox ? ringerBox.checked : false;
  }

  function audioReady() {
    if (!AudioCtx || !ringerOn()) return null;
    if (!audio) audio = new AudioCtx();
    if (audio.state === "suspended") {
      audio.resume().catch(() => {});
      if (ringTip) ringTip.hidden = audio.state !== "suspended";
    }
    return audio.state === "running" ? audio : null;
  }

  function ringTone() {
    const ac = audioReady();
    if (!ac || answered || ended) return;
    const gain = ac.createGain();
    gain.connect(ac.destination);
    gain.gain.value = 0;
    const start = ac.currentTime + 0.02;
    for (const f of [440, 480]) {
      const o = ac.createOscillator();
      o.type = "sine";
      o.frequency.value = f;
      o.connect(gain);
      o.start(start);
      o.stop(start + 1.0);
    }
    // Two bursts of 0.4 s, 0.2 s apart, softly faded in and out.
    for (const at of [0, 0.6]) {
      gain.gain.setValueAtTime(0, start + at);
      gain.gain.linearRampToValueAtTime(0.12, start + at + 0.03);
      gain.gain.setValueAtTime(0.12, start + at + 0.37);
      gain.gain.linearRampToValueAtTime(0, start + at + 0.4);
    }
  }

  if (AudioCtx && ringerBox) {
    $("ringer-wrap").hidden = false;
    ringerBox.checked = localStorage.getItem("coach.ringer") !== "0";
    ringerBox.addEventListener("change", () => localStorage.setItem("coach.ringer", ringerBox.checked ? "1" : "0"));
    const wake = () => {
      if (audio && audio.state === "suspended") audio.resume().then(() => { if (ringTip) ringTip.hidden = true; }).catch(() => {});
    };
    document.addEventListener("pointerdown", wake);
    document.addEventListener("keydown", wake);
    if (ringTip) $("ring-on").addEventListener("click", () => { wake(); ringTone(); });
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

  // The caller's voice is on by default where the browser has a Chinese
  // voice; a trainee's own choice is remembered.
  const synth = window.speechSynthesis;

  function zhVoice() {
    const voices = synth.getVoices();
    return voices.find((v) => v.lang === "zh-CN" || v.lang === "zh_CN") || voices.find((v) => /^zh/i.test(v.lang)) || null;
  }

  if (synth && speakBox) {
    const choose = () => {
      const mine = localStorage.getItem("coach.speak");
      const voice = zhVoice();
      $("speak-wrap").hidden = !voice && mine === null;
      speakBox.checked = mine === null ? !!voice : mine === "1";
    };
    choose();
    synth.addEventListener("voiceschanged", choose);
    speakBox.addEventListener("change", () => {
      localStorage.setItem("coach.speak", speakBox.checked ? "1" : "0");
      if (!speakBox.checked) synth.cancel();
    });
  }

  function speak(text) {
    if (!synth || !speakBox || !speakBox.checked) return;
    const u = new SpeechSynthesisUtterance(text);
    u.lang = "zh-CN";
    const v = zhVoice();
    try {
      if (v) u.voice = v;
    } catch {
      // A voice the browser will not take: its default for zh-CN speaks.
    }
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
        ringTone();
        break;
      case "customer":
        addLine("customer", m.text, m.seq);
        if (moodBox) moodBox.hidden = false;
        speak(m.text);
        break;
      case "hint":
        addHint(m.text, m.intent);
        break;
      case "checklist":
        markSteps(m.done);
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
