/// The studio's one page: HTML, CSS and script in one string, served at `/`. It loads nothing
/// from elsewhere: its data comes from the API (`StudioRoutes`), its pictures are drawn on canvases.
enum StudioPage {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>Super Editor studio</title>
    <link rel="icon" href="data:,">
    <style>
      body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f4f4f6; color: #222; }
      header { display: flex; gap: 12px; align-items: center; padding: 10px 16px; background: #23263a; color: #eee; }
      header h1 { font-size: 17px; margin: 0 12px 0 0; font-weight: 600; }
      header select, header input { font: inherit; }
      main { padding: 10px 16px 24px; }
      .bar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
      .bar .group { display: flex; gap: 4px; align-items: center; padding-right: 12px; border-right: 1px solid #ccc; }
      button, .button { font: inherit; padding: 4px 10px; border: 1px solid #999; border-radius: 4px; background: #fff; cursor: pointer;
                        color: #222; text-decoration: none; }
      button:disabled { opacity: .4; cursor: default; }
      button.brush { color: #111; border-width: 2px; }
      button.brush.selected { outline: 3px solid #23263a; }
      button.playing { background: #23263a; color: #fff; }
      .lane { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px 10px; margin: 10px 0; }
      .lane h2 { font-size: 14px; margin: 2px 0 6px; font-weight: 600; }
      .lane h2 span { font-weight: 400; color: #555; margin-left: 8px; }
      canvas { display: block; width: 100%; cursor: crosshair; }
      #error { background: #fde2e1; color: #8a1111; border: 1px solid #e0a0a0; padding: 6px 10px; border-radius: 4px; }
      #status { min-width: 260px; }
      progress { width: 160px; }
      input[type=number] { width: 5em; }
      #keep { width: 11em; }
      .help { color: #555; font-size: 13px; }
      kbd { border: 1px solid #aaa; border-radius: 3px; padding: 0 4px; background: #fafafa; }
    </style>
    </head>
    <body>
    <header>
      <h1>Super Editor studio</h1>
      <label>Recording <select id="session"></select></label>
      <label>Open a file <input id="upload" type="file" accept="audio/*"></label>
      <span id="status">connecting…</span>
      <progress id="progress" max="1" value="0"></progress>
    </header>
    <main>
      <div id="error" hidden></div>
      <div class="bar">
        <div class="group">
          <button id="play-input" title="Play the input">▶ Input</button>
          <button id="play-output" title="Play the output">▶ Output</button>
          <button id="ab" title="Switch between input and output at the same place in the music">A/B</button>
          <span id="position">0.00 s</span>
        </div>
        <div class="group" id="brushes"><span>Label:</span></div>
        <div class="group">
          <button id="undo" disabled title="Undo (Ctrl+Z)">Undo</button>
          <button id="redo" disabled title="Redo (Ctrl+Shift+Z)">Redo</button>
        </div>
      </div>
      <section class="lane">
        <h2>Input<span id="in-duration"></span></h2>
        <canvas id="input-canvas" height="316"></canvas>
      </section>
      <section class="lane">
        <h2>Output<span id="out-duration" data-seconds=""></span></h2>
        <canvas id="output-canvas" height="146"></canvas>
      </section>
      <form class="bar" id="edit-form">
        <div class="group">
          <label>Target duration <input id="target" type="number" min="0" step="0.1" placeholder="none"> s</label>
          <label>± <input id="slack" type="number" min="0" step="0.1" value="1"> s</label>
          <label>Keep <input id="keep" placeholder="0-4, 10-12"> s</label>
          <button id="reedit" type="submit">Edit again</button>
        </div>
        <div class="group">
          <span>Export:</span>
          <a class="button export" id="export-wav" data-kind="wav">WAV</a>
          <a class="button export" id="export-labels" data-kind="labels">Labels JSON</a>
          <a class="button export" id="export-audacity" data-kind="audacity">Audacity labels</a>
          <a class="button export" id="export-otio" data-kind="otio">OpenTimelineIO</a>
          <a class="button export" id="export-edl" data-kind="edl">EDL</a>
        </div>
      </form>
      <p class="help">Click or drag over the label row (top of the input) to set the chosen label on those beats; the
        output renders again. Click the waveform or mel to play the input from that beat, the output to play it from
        there. <kbd>Space</kbd> plays and pauses, <kbd>A/B</kbd> switches between input and output at the same musical
        position. The bars under the labels are the policy's confidence in each beat's label.</p>
      <audio id="audio-in" preload="auto"></audio>
      <audio id="audio-out" preload="auto"></audio>
    </main>
    <script>
    "use strict";
    const $ = (id) => document.getElementById(id);
    const studio = { palette: {}, names: [], sessions: [], id: null, state: null, brush: "CUT", drag: null,
                     mode: "input", melImage: null, melFile: null, polling: false };
    window.studio = studio;
    const audioIn = $("audio-in"), audioOut = $("audio-out");
    const ROWS = { labels: 24, confidence: 34, wave: 100, mel: 128, gap: 4 };

    function showError(message) {
      const e = $("error");
      e.hidden = !message;
      e.textContent = message || "";
    }

    async function api(method, path, body, raw) {
      const options = { method, headers: {} };
      if (body !== undefined) {
        options.body = raw ? body : JSON.stringify(body);
        if (!raw) options.headers["Content-Type"] = "application/json";
      }
      const response = await fetch(path, options);
      const json = await response.json().catch(() => ({ error: response.statusText }));
      if (!response.ok) throw new Error(json.error || response.statusText);
      return json;
    }

    // ---- time mapping between the source and the output, through the kept ranges in play order
    function ranges() { return (studio.state && studio.state.keptRanges) || []; }
    function sourceTime(o) {
      let acc = 0;
      for (const [a, b] of ranges()) { if (o < acc + (b - a)) return a + (o - acc); acc += b - a; }
      const r = ranges(); return r.length ? r[r.length - 1][1] : o;
    }
    function outputTime(s) {
      let acc = 0, next = null;
      for (const [a, b] of ranges()) {
        if (s >= a && s < b) return acc + (s - a);
        if (a >= s && next === null) next = acc;
        acc += b - a;
      }
      return next === null ? acc : next;
    }

    // ---- drawing
    function fitCanvas(canvas) {
      const ratio = window.devicePixelRatio || 1, w = canvas.clientWidth;
      const h = Number(canvas.getAttribute("height"));
      if (canvas.width !== Math.round(w * ratio)) { canvas.width = Math.round(w * ratio); canvas.height = Math.round(h * ratio); }
      const g = canvas.getContext("2d");
      g.setTransform(ratio, 0, 0, ratio, 0, 0);
      return { g, w, h: Number(canvas.getAttribute("height")) };
    }

    function drawPeaks(g, peaks, x0, width, y, h, scale) {
      const n = peaks.length / 2;
      g.fillStyle = "#28468c";
      for (let px = 0; px < width; px++) {
        const c = Math.min(n - 1, Math.floor(px * n / width));
        const mn = peaks[2 * c] / scale, mx = peaks[2 * c + 1] / scale;
        const top = y + h / 2 - mx * h / 2, bottom = y + h / 2 - mn * h / 2;
        g.fillRect(x0 + px, top, 1, Math.max(1, bottom - top));
      }
    }

    function peakScale() {
      const s = studio.state; let m = 1e-9;
      for (const v of s.inputPeaks) m = Math.max(m, Math.abs(v));
      return m;
    }

    function currentSourceTime() {
      if (studio.mode === "output") return sourceTime(audioOut.currentTime);
      return audioIn.currentTime;
    }
    function currentOutputTime() {
      if (studio.mode === "input") return outputTime(audioIn.currentTime);
      return audioOut.currentTime;
    }

    function drawInput() {
      const s = studio.state, canvas = $("input-canvas");
      const { g, w, h } = fitCanvas(canvas);
      g.clearRect(0, 0, w, h);
      if (!s || !s.inputDuration) return;
      const total = s.inputDuration, X = (t) => t / total * w;
      const yConf = ROWS.labels + ROWS.gap, yWave = yConf + ROWS.confidence + ROWS.gap, yMel = yWave + ROWS.wave + ROWS.gap;
      let labels = s.beats.map((b) => b.label);
      if (studio.drag) {
        const [a, b] = [Math.min(studio.drag.from, studio.drag.to), Math.max(studio.drag.from, studio.drag.to)];
        labels = labels.map((l, i) => (i >= a && i <= b ? studio.brush : l));
      }
      s.beats.forEach((b, i) => {
        const x0 = X(b.start), x1 = X(b.end);
        g.fillStyle = studio.palette[labels[i]] || "#ccc";
        g.fillRect(x0, 0, Math.max(1, x1 - x0 - 1), ROWS.labels);
        const c = Math.max(0, Math.min(1, b.confidence));
        g.fillStyle = "#e8e8ee"; g.fillRect(x0, yConf, Math.max(1, x1 - x0 - 1), ROWS.confidence);
        g.fillStyle = "#6b6f8a"; g.fillRect(x0, yConf + ROWS.confidence * (1 - c), Math.max(1, x1 - x0 - 1), ROWS.confidence * c);
      });
      drawPeaks(g, s.inputPeaks, 0, w, yWave, ROWS.wave, peakScale());
      if (studio.melImage && studio.melImage.complete) g.drawImage(studio.melImage, 0, yMel, w, ROWS.mel);
      // Beats the edit leaves out are dimmed; the grid marks every beat.
      g.fillStyle = "rgba(255,255,255,0.6)";
      s.beats.forEach((b, i) => { if (labels[i] === "CUT") g.fillRect(X(b.start), yWave, X(b.end) - X(b.start), ROWS.wave + ROWS.gap + ROWS.mel); });
      g.strokeStyle = "rgba(0,0,0,0.18)"; g.lineWidth = 1;
      for (const b of s.beats) { const x = Math.round(X(b.start)) + 0.5; g.beginPath(); g.moveTo(x, yWave); g.lineTo(x, yMel + ROWS.mel); g.stroke(); }
      drawAxis(g, total, w, yMel + ROWS.mel + 2, w);
      g.fillStyle = "#333"; g.font = "11px system-ui";
      g.fillText("labels", 4, 15); g.fillText("confidence", 4, yConf + 12);
      const t = currentSourceTime(), xp = X(t);
      g.strokeStyle = "#e0301e"; g.lineWidth = 2; g.beginPath(); g.moveTo(xp, 0); g.lineTo(xp, h); g.stroke();
    }

    function drawAxis(g, seconds, width, y, scaleWidth) {
      const step = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600].find((s) => scaleWidth / (seconds / s) >= 60) || 1200;
      g.fillStyle = "#555"; g.font = "11px system-ui"; g.strokeStyle = "#888"; g.lineWidth = 1;
      for (let t = 0; t <= seconds + 1e-9; t += step) {
        const x = Math.round(t / seconds * scaleWidth) + 0.5;
        if (x > width) break;
        g.beginPath(); g.moveTo(x, y); g.lineTo(x, y + 4); g.stroke();
        g.fillText(`${+t.toFixed(1)} s`, Math.min(x + 2, width - 30), y + 13);
      }
    }

    function drawOutput() {
      const s = studio.state, canvas = $("output-canvas");
      const { g, w, h } = fitCanvas(canvas);
      g.clearRect(0, 0, w, h);
      if (!s || !s.inputDuration) return;
      const width = Math.max(1, Math.min(w, w * s.outputDuration / s.inputDuration));
      // The kept ranges' first beat colours along the top, so cuts and loops show where they land.
      let acc = 0;
      for (const [a, b] of s.keptRanges) {
        for (const beat of s.beats) {
          if (beat.end <= a || beat.start >= b) continue;
          const x0 = (acc + Math.max(beat.start, a) - a) / s.inputDuration * w, x1 = (acc + Math.min(beat.end, b) - a) / s.inputDuration * w;
          g.fillStyle = studio.palette[beat.label] || "#ccc"; g.fillRect(x0, 0, Math.max(1, x1 - x0 - 1), 10);
        }
        acc += b - a;
      }
      if (s.outputPeaks.length) drawPeaks(g, s.outputPeaks, 0, width, 16, h - 36, peakScale());
      drawAxis(g, s.outputDuration, width, h - 18, width);
      const xp = currentOutputTime() / s.inputDuration * w;
      g.strokeStyle = "#e0301e"; g.lineWidth = 2; g.beginPath(); g.moveTo(xp, 0); g.lineTo(xp, h); g.stroke();
    }

    function frame() {
      drawInput(); drawOutput();
      const playing = !audioIn.paused || !audioOut.paused;
      $("play-input").classList.toggle("playing", !audioIn.paused);
      $("play-output").classList.toggle("playing", !audioOut.paused);
      $("position").textContent = (studio.mode === "input" ? "input " + audioIn.currentTime.toFixed(2)
                                                            : "output " + audioOut.currentTime.toFixed(2)) + " s" + (playing ? " ▶" : "");
      requestAnimationFrame(frame);
    }

    // ---- state
    function fileURL(name) { return `/api/sessions/${encodeURIComponent(studio.id)}/files/${encodeURIComponent(name)}`; }

    function applyState(s) {
      const previous = studio.state;
      studio.state = s;
      const busy = s.status === "analysing" || s.status === "rendering";
      $("status").textContent = s.status === "failed" ? "failed" : busy ? `${s.status}: ${s.stage} ${Math.round(100 * s.progress)}%` : "ready";
      $("status").dataset.status = s.status;
      $("progress").value = busy ? s.progress : 1;
      showError(s.error);
      $("undo").disabled = !s.canUndo; $("redo").disabled = !s.canRedo;
      $("in-duration").textContent = s.inputDuration ? `${s.inputDuration.toFixed(2)} s, ${s.beats.length} beats` : "";
      if (s.renderedVersion === s.version && s.status === "ready") {
        $("out-duration").textContent = `${s.outputDuration.toFixed(2)} s`;
        $("out-duration").dataset.seconds = String(s.outputDuration);
        $("out-duration").dataset.version = String(s.version);
      }
      if (s.inputFile && !audioIn.src.endsWith(fileURL(s.inputFile))) audioIn.src = fileURL(s.inputFile);
      if (s.melFile && studio.melFile !== s.melFile) {
        studio.melFile = s.melFile; studio.melImage = new Image(); studio.melImage.src = fileURL(s.melFile);
      }
      if (s.outputFile && !audioOut.src.endsWith(fileURL(s.outputFile))) {
        // Keep the place in the music while the output changes under it.
        const wasPlaying = !audioOut.paused, at = previous ? sourceTimeWith(previous.keptRanges, audioOut.currentTime) : 0;
        audioOut.src = fileURL(s.outputFile);
        if (wasPlaying) { audioOut.addEventListener("loadedmetadata", () => { audioOut.currentTime = outputTime(at); audioOut.play(); }, { once: true }); }
      }
      for (const a of document.querySelectorAll("a.export")) {
        a.href = `/api/sessions/${encodeURIComponent(s.id)}/export/${a.dataset.kind}`;
        a.setAttribute("download", "");
      }
      if (!document.activeElement || !["target", "slack", "keep"].includes(document.activeElement.id)) {
        $("target").value = s.targetDuration == null ? "" : s.targetDuration;
        $("slack").value = s.slack;
        $("keep").value = s.keep.map(([a, b]) => `${a}-${b}`).join(", ");
      }
      if (busy) poll();
    }

    function sourceTimeWith(kept, o) {
      let acc = 0;
      for (const [a, b] of kept) { if (o < acc + (b - a)) return a + (o - acc); acc += b - a; }
      return o;
    }

    async function refresh() {
      if (!studio.id) return;
      try { applyState(await api("GET", `/api/sessions/${encodeURIComponent(studio.id)}`)); } catch (e) { showError(e.message); }
    }

    function poll() {
      if (studio.polling) return;
      studio.polling = true;
      setTimeout(async () => { studio.polling = false; await refresh(); }, 200);
    }

    async function loadSessions(select) {
      studio.sessions = await api("GET", "/api/sessions");
      const sel = $("session");
      sel.innerHTML = "";
      for (const s of studio.sessions) { const o = document.createElement("option"); o.value = s.id; o.textContent = s.name; sel.appendChild(o); }
      const id = select || studio.id || (studio.sessions[0] && studio.sessions[0].id);
      if (id) { sel.value = id; await choose(id); } else { $("status").textContent = "no recording: open a file"; }
    }

    async function choose(id) {
      if (studio.id !== id) { audioIn.pause(); audioOut.pause(); audioIn.removeAttribute("src"); audioOut.removeAttribute("src"); studio.melFile = null; }
      studio.id = id;
      await refresh();
    }

    // ---- changes
    async function send(path, body) {
      try { applyState(await api("POST", `/api/sessions/${encodeURIComponent(studio.id)}/${path}`, body)); showError(null); }
      catch (e) { showError(e.message); await refresh(); }
    }

    function beatAt(t) {
      const beats = studio.state.beats;
      for (let i = 0; i < beats.length; i++) if (t < beats[i].end) return i;
      return beats.length - 1;
    }

    function canvasTime(event, canvas, duration) {
      const r = canvas.getBoundingClientRect();
      return Math.max(0, Math.min(1, (event.clientX - r.left) / r.width)) * duration;
    }

    $("input-canvas").addEventListener("mousedown", (event) => {
      const s = studio.state; if (!s || !s.beats.length) return;
      const canvas = $("input-canvas"), y = event.clientY - canvas.getBoundingClientRect().top;
      const b = beatAt(canvasTime(event, canvas, s.inputDuration));
      if (y < ROWS.labels + ROWS.gap + ROWS.confidence) { studio.drag = { from: b, to: b }; }
      else { play("input", s.beats[b].start); }
    });
    window.addEventListener("mousemove", (event) => {
      if (!studio.drag) return;
      studio.drag.to = beatAt(canvasTime(event, $("input-canvas"), studio.state.inputDuration));
    });
    window.addEventListener("mouseup", () => {
      const d = studio.drag; if (!d) return;
      studio.drag = null;
      send("labels", { label: studio.brush, from: Math.min(d.from, d.to), to: Math.max(d.from, d.to) });
    });
    $("output-canvas").addEventListener("mousedown", (event) => {
      const s = studio.state; if (!s) return;
      play("output", Math.min(s.outputDuration, canvasTime(event, $("output-canvas"), s.inputDuration)));
    });

    // ---- listening
    function play(mode, at) {
      const a = mode === "input" ? audioIn : audioOut, other = mode === "input" ? audioOut : audioIn;
      other.pause();
      studio.mode = mode;
      if (at !== undefined) a.currentTime = at;
      a.play().catch((e) => showError("cannot play: " + e.message));
    }
    function toggle() {
      const a = studio.mode === "input" ? audioIn : audioOut;
      if (a.paused) play(studio.mode); else a.pause();
    }
    function switchAB() {
      const playing = !audioIn.paused || !audioOut.paused;
      if (studio.mode === "input") {
        const o = outputTime(audioIn.currentTime); audioIn.pause(); studio.mode = "output"; audioOut.currentTime = o;
      } else {
        const s = sourceTime(audioOut.currentTime); audioOut.pause(); studio.mode = "input"; audioIn.currentTime = s;
      }
      if (playing) play(studio.mode);
    }
    $("play-input").addEventListener("click", () => { if (studio.mode === "input" && !audioIn.paused) audioIn.pause(); else play("input"); });
    $("play-output").addEventListener("click", () => { if (studio.mode === "output" && !audioOut.paused) audioOut.pause(); else play("output"); });
    $("ab").addEventListener("click", switchAB);
    $("undo").addEventListener("click", () => send("undo"));
    $("redo").addEventListener("click", () => send("redo"));
    document.addEventListener("keydown", (event) => {
      if (["INPUT", "SELECT", "TEXTAREA"].includes(event.target.tagName)) return;
      if (event.code === "Space") { event.preventDefault(); toggle(); }
      else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") { event.preventDefault(); send(event.shiftKey ? "redo" : "undo"); }
    });
    for (const b of document.querySelectorAll("button")) b.addEventListener("keydown", (e) => { if (e.code === "Space") e.preventDefault(); });

    $("edit-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const target = $("target").value.trim(), slack = $("slack").value.trim(), keepText = $("keep").value.trim();
      const keep = [];
      for (const part of keepText ? keepText.split(",") : []) {
        const m = part.trim().match(/^(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)$/);
        if (!m) { showError(`keep region '${part.trim()}' is not START-END in seconds`); return; }
        keep.push([Number(m[1]), Number(m[2])]);
      }
      $("status").textContent = "editing again…";
      send("edit", { targetDuration: target ? Number(target) : null, slack: slack ? Number(slack) : 1, keep });
    });

    $("session").addEventListener("change", (e) => choose(e.target.value));
    $("upload").addEventListener("change", async (e) => {
      const file = e.target.files[0]; if (!file) return;
      try {
        const s = await api("POST", `/api/upload?name=${encodeURIComponent(file.name)}`, file, true);
        showError(null); await loadSessions(s.id);
      } catch (err) { showError(err.message); }
      e.target.value = "";
    });

    async function start() {
      const p = await api("GET", "/api/palette");
      for (const { name, color } of p.labels) {
        studio.palette[name] = color; studio.names.push(name);
        const b = document.createElement("button");
        b.className = "brush"; b.dataset.label = name; b.textContent = name; b.style.background = color; b.type = "button";
        b.addEventListener("click", () => { studio.brush = name; for (const o of document.querySelectorAll("button.brush")) o.classList.toggle("selected", o === b); });
        if (name === studio.brush) b.classList.add("selected");
        $("brushes").appendChild(b);
      }
      await loadSessions();
      requestAnimationFrame(frame);
    }
    start().catch((e) => showError(e.message));
    </script>
    </body>
    </html>
    """#
}
