// Skeleton playback of clips from the index's keypoints (JSON from /api/recordings/<id>/keypoints).
// Every text this script writes goes through textContent; it never builds HTML from data.
"use strict";

const cache = new Map();
// Pose points below the hips (knees, ankles, feet) are left out: signing happens above them.
const LEGS = (i) => i >= 25 && i <= 32;

function loadKeypoints(recordingId) {
  if (!cache.has(recordingId)) {
    const url = "/api/recordings/" + encodeURIComponent(recordingId) + "/keypoints";
    cache.set(recordingId, fetch(url).then((r) => {
      if (!r.ok) throw new Error("keypoints: HTTP " + r.status);
      return r.json();
    }));
  }
  return cache.get(recordingId);
}

// The box holding every point of the recording, so the signer fills the canvas.
function boundingBox(data) {
  if (!data.box) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const row of data.frames) {
      for (let i = 0; i + 1 < row.length; i += 2) {
        if (row[i] === null || row[i + 1] === null || LEGS(i / 2)) continue;
        x0 = Math.min(x0, row[i]); x1 = Math.max(x1, row[i]);
        y0 = Math.min(y0, row[i + 1]); y1 = Math.max(y1, row[i + 1]);
      }
    }
    data.box = x0 === Infinity ? [0, 0, 1, 1] : [x0, y0, Math.max(x1 - x0, 1e-3), Math.max(y1 - y0, 1e-3)];
  }
  return data.box;
}

function drawFrame(canvas, data, index) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.fillStyle = "#fbfbf8";
  ctx.fillRect(0, 0, w, h);
  const row = data.frames[Math.max(0, Math.min(index, data.frames.length - 1))];
  if (!row) return;
  const [bx, by, bw, bh] = boundingBox(data);
  const scale = 0.9 * Math.min(w / bw, h / bh);
  const ox = (w - bw * scale) / 2, oy = (h - bh * scale) / 2;
  const pt = (i) => (LEGS(i) || row[2 * i] === null || row[2 * i + 1] === null) ? null
    : [ox + (row[2 * i] - bx) * scale, oy + (row[2 * i + 1] - by) * scale];
  ctx.lineWidth = 2;
  for (const [a, b] of data.bones) {
    const p = pt(a), q = pt(b);
    if (!p || !q) continue;
    ctx.strokeStyle = a >= 54 ? "#2a7ab0" : a >= 33 ? "#c0392b" : "#555";
    ctx.beginPath(); ctx.moveTo(p[0], p[1]); ctx.lineTo(q[0], q[1]); ctx.stroke();
  }
  ctx.fillStyle = "#222";
  for (let i = 0; i < data.num_points; i++) {
    const p = pt(i);
    if (p) { ctx.beginPath(); ctx.arc(p[0], p[1], 1.6, 0, 2 * Math.PI); ctx.fill(); }
  }
}

function frameRange(player, data, start, end) {
  const last = data.num_frames - 1;
  const s = start === "" || start === undefined ? 0 : Math.max(0, Number(start));
  const e = end === "" || end === undefined ? last : Math.min(last, Number(end));
  return [s, Math.max(s, e)];
}

function play(player, start, end) {
  const canvas = player.querySelector("canvas");
  const status = player.querySelector(".status");
  const cursor = player.querySelector(".cursor");
  player.dataset.token = String(Number(player.dataset.token || 0) + 1);
  const token = player.dataset.token;
  loadKeypoints(player.dataset.recording).then((data) => {
    const [first, last] = frameRange(player, data, start, end);
    const began = performance.now();
    const step = (now) => {
      if (player.dataset.token !== token) return;
      const frame = Math.min(last, first + Math.floor((now - began) / 1000 * data.fps) * data.stride);
      drawFrame(canvas, data, Math.floor(frame / data.stride));
      player.dataset.frame = String(frame);
      status.textContent = "frame " + frame + " / " + (data.num_frames - 1);
      if (cursor) cursor.style.left = (100 * frame / Math.max(1, data.num_frames - 1)) + "%";
      if (frame < last) requestAnimationFrame(step);
      else player.dataset.played = "1";
    };
    requestAnimationFrame(step);
  }).catch((error) => { status.textContent = String(error.message); });
}

function layoutTimeline(timeline) {
  const frames = Math.max(1, Number(timeline.dataset.frames) - 1);
  for (const span of timeline.querySelectorAll(".span")) {
    span.style.left = (100 * Number(span.dataset.start) / frames) + "%";
    span.style.width = Math.max(1, 100 * (Number(span.dataset.end) - Number(span.dataset.start)) / frames) + "%";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const player of document.querySelectorAll(".player")) {
    player.querySelector(".play").addEventListener("click", () => play(player, player.dataset.start, player.dataset.end));
    const timeline = player.querySelector(".timeline");
    if (timeline) {
      layoutTimeline(timeline);
      for (const span of timeline.querySelectorAll(".span")) {
        span.addEventListener("click", () => play(player, span.dataset.start, span.dataset.end));
      }
    }
    poster.observe(player);
  }
});

// Draw a clip's first frame once it scrolls into view, so players are not blank boxes.
const poster = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    const player = entry.target;
    poster.unobserve(player);
    if (player.dataset.frame) continue;
    loadKeypoints(player.dataset.recording).then((data) => {
      const [first] = frameRange(player, data, player.dataset.start, player.dataset.end);
      if (!player.dataset.frame) drawFrame(player.querySelector("canvas"), data, Math.floor(first / data.stride));
    }).catch(() => {});
  }
});
