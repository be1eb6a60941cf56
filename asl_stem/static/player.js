// Clip players, created only when they scroll into view: the interpreter's real video when the
// index knows where it is (served with range requests), else a skeleton drawn from the index's
// compact keypoints (/api/recordings/<id>/keypoints.bin; layout in asl_stem/termindex/keypoints.py).
// Also the term filters of the prepare page. Every text this script writes goes through
// textContent; it never builds HTML from data.
"use strict";

const ROOT = () => document.body.dataset.root || "";
const cache = new Map();
let skeleton = null;
const MISSING = 127, LEVELS = 126;
const LEGS = (i) => i >= 25 && i <= 32;

function loadSkeleton() {
  if (!skeleton) {
    skeleton = fetch(ROOT() + "/api/skeleton").then((r) => {
      if (!r.ok) throw new Error("skeleton: HTTP " + r.status);
      return r.json();
    });
  }
  return skeleton;
}

// Header: "ASK2", version u8, points u8, stride u16, fps f32, num_frames u32, stored u32, box 4 x f32.
function decode(buffer) {
  const view = new DataView(buffer);
  const magic = String.fromCharCode(...new Uint8Array(buffer, 0, 4));
  if (magic !== "ASK2") throw new Error("keypoints: not a payload");
  const points = view.getUint8(5), stride = view.getUint16(6, true);
  const fps = view.getFloat32(8, true), numFrames = view.getUint32(12, true);
  const stored = view.getUint32(16, true);
  const box = [0, 1, 2, 3].map((k) => view.getFloat32(20 + 4 * k, true));
  const deltas = new Uint8Array(buffer, 36, points * 2 * stored);
  const codes = new Uint8Array(deltas.length);  // series-major: (point, axis, frame)
  for (let s = 0; s < points * 2; s++) {
    let value = 0;
    for (let t = 0; t < stored; t++) {
      value = (value + deltas[s * stored + t]) & 255;
      codes[s * stored + t] = value;
    }
  }
  return { points, stride, fps: fps / stride, numFrames, stored, box, codes };
}

function loadKeypoints(recordingId) {
  if (!cache.has(recordingId)) {
    const url = ROOT() + "/api/recordings/" + encodeURIComponent(recordingId) + "/keypoints.bin";
    cache.set(recordingId, Promise.all([fetch(url).then((r) => {
      if (!r.ok) throw new Error("keypoints: HTTP " + r.status);
      return r.arrayBuffer();
    }), loadSkeleton()]).then(([buffer, layout]) => Object.assign(decode(buffer), { bones: layout.bones })));
  }
  return cache.get(recordingId);
}

function drawFrame(canvas, data, index) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.fillStyle = "#fbfbf8";
  ctx.fillRect(0, 0, w, h);
  const t = Math.max(0, Math.min(index, data.stored - 1));
  const [bx, by, bw, bh] = data.box;
  const scale = 0.9 * Math.min(w / bw, h / bh);
  const ox = (w - bw * scale) / 2, oy = (h - bh * scale) / 2;
  const code = (i, axis) => data.codes[(2 * i + axis) * data.stored + t];
  const pt = (i) => {
    const cx = code(i, 0), cy = code(i, 1);
    if (LEGS(i) || cx === MISSING || cy === MISSING) return null;
    return [ox + (cx / LEVELS) * bw * scale, oy + (cy / LEVELS) * bh * scale];
  };
  ctx.lineWidth = 2;
  for (const [a, b] of data.bones) {
    const p = pt(a), q = pt(b);
    if (!p || !q) continue;
    ctx.strokeStyle = a >= 54 ? "#2a7ab0" : a >= 33 ? "#c0392b" : "#555";
    ctx.beginPath(); ctx.moveTo(p[0], p[1]); ctx.lineTo(q[0], q[1]); ctx.stroke();
  }
  ctx.fillStyle = "#222";
  for (let i = 0; i < data.points; i++) {
    const p = pt(i);
    if (p) { ctx.beginPath(); ctx.arc(p[0], p[1], 1.6, 0, 2 * Math.PI); ctx.fill(); }
  }
}

function frameRange(last, start, end) {
  const s = start === "" || start === undefined ? 0 : Math.max(0, Number(start));
  const e = end === "" || end === undefined ? last : Math.min(last, Number(end));
  return [s, Math.max(s, e)];
}

function setCursor(player, frame, total) {
  for (const cursor of player.querySelectorAll(".cursor")) {
    cursor.style.left = (100 * frame / Math.max(1, total - 1)) + "%";
  }
}

function playSkeleton(player, start, end, token) {
  const canvas = player.querySelector("canvas");
  const status = player.querySelector(".status");
  return loadKeypoints(player.dataset.recording).then((data) => {
    const [first, last] = frameRange(data.numFrames - 1, start, end);
    const began = performance.now();
    const step = (now) => {
      if (player.dataset.token !== token) return;
      const frame = Math.min(last, first + Math.floor((now - began) / 1000 * data.fps) * data.stride);
      drawFrame(canvas, data, Math.floor(frame / data.stride));
      player.dataset.frame = String(frame);
      status.textContent = "frame " + frame + " / " + (data.numFrames - 1);
      setCursor(player, frame, data.numFrames);
      if (frame < last) requestAnimationFrame(step);
      else player.dataset.played = "1";
    };
    requestAnimationFrame(step);
  });
}

function playVideo(player, start, end, token) {
  const video = player.querySelector("video");
  const status = player.querySelector(".status");
  const fps = Number(player.dataset.fps) || 30;
  const total = Math.max(1, Math.round((video.duration || 0) * fps));
  const [first, last] = frameRange(total - 1, start, end);
  const stopAt = (last + 1) / fps;
  const tick = () => {
    if (player.dataset.token !== token) return;
    const frame = Math.floor(video.currentTime * fps + 1e-6);
    player.dataset.frame = String(frame);
    status.textContent = "frame " + frame + " / " + (total - 1);
    setCursor(player, frame, total);
    if (video.currentTime >= stopAt || video.ended) {
      video.pause();
      player.dataset.played = "1";
      return;
    }
    requestAnimationFrame(tick);
  };
  video.currentTime = first / fps;
  return video.play().then(() => requestAnimationFrame(tick));
}

function play(player, start, end) {
  build(player);
  player.dataset.token = String(Number(player.dataset.token || 0) + 1);
  const token = player.dataset.token;
  delete player.dataset.played;
  const status = player.querySelector(".status");
  const run = player.querySelector("video") ? playVideo : playSkeleton;
  const started = player.querySelector("video") && player.querySelector("video").readyState < 1
    ? new Promise((ok) => player.querySelector("video").addEventListener("loadedmetadata", ok, { once: true }))
    : Promise.resolve();
  started.then(() => run(player, start, end, token))
    .catch((error) => { status.textContent = String(error.message || error); });
}

// Fill a player's stage: a <video> when the recording has one, else a skeleton canvas.
function build(player) {
  if (player.dataset.built) return;
  player.dataset.built = "1";
  const stage = player.querySelector(".stage");
  const id = encodeURIComponent(player.dataset.recording);
  if (player.dataset.video === "1") {
    const video = document.createElement("video");
    video.preload = "metadata";
    video.muted = true;
    video.playsInline = true;
    video.src = ROOT() + "/api/recordings/" + id + "/video";
    video.addEventListener("error", () => fallBack(player), { once: true });
    video.addEventListener("loadedmetadata", () => {
      const fps = Number(player.dataset.fps) || 30;
      if (player.dataset.start) video.currentTime = Number(player.dataset.start) / fps;
    }, { once: true });
    stage.appendChild(video);
    player.dataset.kind = "video";
    return;
  }
  addCanvas(player);
}

function addCanvas(player) {
  const stage = player.querySelector(".stage");
  stage.textContent = "";
  const canvas = document.createElement("canvas");
  const size = player.classList.contains("large") ? 360 : player.classList.contains("small") ? 140 : 220;
  canvas.width = size; canvas.height = size;
  stage.appendChild(canvas);
  player.dataset.kind = "skeleton";
  if (player.dataset.keypoints !== "1") {
    player.querySelector(".status").textContent = "no video or keypoints";
    return;
  }
  loadKeypoints(player.dataset.recording).then((data) => {
    const [first] = frameRange(data.numFrames - 1, player.dataset.start, player.dataset.end);
    if (!player.dataset.frame) drawFrame(canvas, data, Math.floor(first / data.stride));
  }).catch(() => {});
}

function fallBack(player) {
  player.dataset.video = "0";
  addCanvas(player);
}

function layoutTimeline(timeline) {
  const frames = Math.max(1, Number(timeline.dataset.frames) - 1);
  for (const span of timeline.querySelectorAll(".span")) {
    span.style.left = (100 * Number(span.dataset.start) / frames) + "%";
    span.style.width = Math.max(1, 100 * (Number(span.dataset.end) - Number(span.dataset.start)) / frames) + "%";
  }
}

const lazy = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    lazy.unobserve(entry.target);
    build(entry.target);
  }
}, { rootMargin: "200px" });

function setUpPlayers() {
  for (const player of document.querySelectorAll(".player")) {
    player.querySelector(".play").addEventListener("click", () => play(player, player.dataset.start, player.dataset.end));
    for (const timeline of player.querySelectorAll(".timeline")) {
      layoutTimeline(timeline);
      for (const span of timeline.querySelectorAll(".span")) {
        span.addEventListener("click", () => play(player, span.dataset.start, span.dataset.end));
      }
    }
    lazy.observe(player);
  }
}

function setUpFilters() {
  const form = document.getElementById("term-filters");
  if (!form) return;
  const items = Array.from(document.querySelectorAll(".term-list > li.term"));
  const apply = () => {
    const min = Number(form.elements.min.value);
    const lexicon = form.elements.lexicon.value, corpus = form.elements.corpus.value;
    let shown = 0;
    for (const item of items) {
      const signs = Number(item.dataset.signs) > 0;
      const keep = Number(item.dataset.score) >= min
        && (lexicon === "any" || (lexicon === "with") === signs)
        && (corpus === "any" || Number(item.dataset[corpus]) > 0);
      item.hidden = !keep;
      shown += keep ? 1 : 0;
    }
    document.getElementById("shown-count").textContent = String(shown);
  };
  form.addEventListener("change", apply);
  const openAll = document.getElementById("open-all");
  openAll.addEventListener("click", () => {
    const open = openAll.textContent === "Open all";
    for (const item of items) if (!item.hidden) item.querySelector("details").open = open;
    openAll.textContent = open ? "Fold all" : "Open all";
  });
  apply();
}

function setUpEmbeds() {
  for (const button of document.querySelectorAll("button.embed")) {
    button.addEventListener("click", () => {
      const frame = document.createElement("iframe");
      frame.src = button.dataset.src;
      frame.title = "reference video";
      frame.allow = "fullscreen; picture-in-picture";
      button.replaceWith(frame);
    }, { once: true });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setUpPlayers();
  setUpFilters();
  setUpEmbeds();
});
