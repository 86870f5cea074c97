#!/usr/bin/env python3
"""Drives `super-editor studio` in headless Chromium (Debian's chromium and chromium-driver,
selenium from the tools venv) as a person would, and checks what it exports.

Given a running studio's address: waits for the analysis, plays the input, switches A/B to the
output and pauses with the space bar, sets three KEEP beats to CUT by clicking them, checks
that the output duration the page shows drops by those beats' length (and that undo and redo
move it back and forth), exports the WAV, the labels JSON, the OpenTimelineIO timeline and the
EDL through the page's buttons, and checks each file: the WAV lasts what the page shows, the
labels are the page's with the three beats cut, and the .otio (read by the opentimelineio
package) and the EDL (read by the small parser below) hold exactly the kept beats. Writes a
screenshot. Prints one JSON line of figures; exits 1 with a message on the first failure.

    python tools/studio_browser_test.py --url http://127.0.0.1:PORT/ --downloads DIR --screenshot docs/studio.png
"""
import argparse
import json
import os
import re
import sys
import time
import wave

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import opentimelineio as otio


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def wait_for(what, fn, timeout=60.0, interval=0.1):
    end = time.time() + timeout
    while time.time() < end:
        value = fn()
        if value:
            return value
        time.sleep(interval)
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what}")


def make_driver(downloads):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--hide-scrollbars"]:
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return driver


def play_order(labels):
    """Beat indices in the order the edit plays them: CUT left out, a run of LOOP beats twice."""
    order, i = [], 0
    while i < len(labels):
        if labels[i] == "CUT":
            i += 1
        elif labels[i] == "LOOP":
            j = i
            while j < len(labels) and labels[j] == "LOOP":
                j += 1
            order += list(range(i, j)) * 2
            i = j
        else:
            order.append(i)
            i += 1
    return order


def kept_ranges(beats):
    """Source ranges in play order, consecutive beats merged, from a labels list."""
    out, previous = [], -2
    for b in play_order([x["label"] for x in beats]):
        s, e = beats[b]["start"], beats[b]["end"]
        if b == previous + 1 and out and abs(out[-1][1] - s) < 1e-9:
            out[-1][1] = e
        else:
            out.append([s, e])
        previous = b
    return out


def output_time(kept, t):
    """Where source time `t` plays in the output: its place in the first kept range holding it."""
    acc = 0.0
    for a, b in kept:
        if a <= t < b:
            return acc + (t - a)
        acc += b - a
    raise Failure(f"source time {t:.3f} s is in no kept range")


def parse_edl(text, fps):
    """CMX 3600 events: (source in, source out, record in, record out) in seconds."""
    def seconds(tc):
        h, m, s, f = (int(x) for x in tc.split(":"))
        return (h * 3600 + m * 60 + s) + f / fps
    check(text.splitlines()[0].startswith("TITLE:"), "EDL does not start with TITLE:")
    check("FCM: NON-DROP FRAME" in text, "EDL has no FCM line")
    events = []
    pattern = re.compile(r"^(\d{3})\s+(\S+)\s+(A\S*|V\S*)\s+C\s+(\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d)\s*$")
    for line in text.splitlines():
        if re.match(r"^\d{3}\s", line):
            m = pattern.match(line)
            check(m, f"EDL event line does not parse: {line!r}")
            check(int(m.group(1)) == len(events) + 1, f"EDL event numbers out of order at {line!r}")
            events.append(tuple(seconds(m.group(k)) for k in range(4, 8)))
    return events


def downloaded(downloads, name, timeout=60.0):
    path = os.path.join(downloads, name)
    wait_for(f"the download {name}", lambda: os.path.exists(path) and not os.path.exists(path + ".crdownload")
             and os.path.getsize(path) > 0, timeout)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--downloads", required=True)
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--timeout", type=float, default=90)
    args = ap.parse_args()
    os.makedirs(args.downloads, exist_ok=True)
    figures = {}
    driver = make_driver(os.path.abspath(args.downloads))
    try:
        t0 = time.time()
        driver.get(args.url)
        state = lambda: driver.execute_script("return window.studio && window.studio.state")
        shown = lambda: driver.find_element(By.ID, "out-duration").get_attribute("data-seconds")
        shown_version = lambda: driver.find_element(By.ID, "out-duration").get_attribute("data-version")

        def settled():
            s = state()
            return s if s and s["status"] == "ready" and s["renderedVersion"] == s["version"] \
                and shown_version() == str(s["version"]) else None

        s = wait_for("the analysis", settled, args.timeout)
        figures["analysis_s"] = round(time.time() - t0, 2)
        check(len(s["beats"]) >= 6, f"only {len(s['beats'])} beats")
        check(s["inputPeaks"] and s["outputPeaks"], "no waveform")
        before = float(shown())
        check(abs(before - s["outputDuration"]) < 1e-9, "shown duration is not the state's")

        # Listen: the input plays, A/B goes to the output at the same musical place, space pauses.
        audio = lambda which: driver.execute_script(
            f"const a = document.getElementById('audio-{which}'); return [a.paused, a.currentTime, a.readyState];")
        wait_for("the input audio to load", lambda: audio("in")[2] >= 2, 30)
        driver.find_element(By.ID, "play-input").click()
        wait_for("the input to play", lambda: not audio("in")[0] and audio("in")[1] > 0.2, 20)
        # Clicking a beat on the waveform plays the input from that beat.
        keep = [i for i, b in enumerate(s["beats"]) if b["label"] == "KEEP"]
        check(len(keep) >= 3, f"fewer than three KEEP beats: {[b['label'] for b in s['beats']]}")
        canvas = driver.find_element(By.ID, "input-canvas")
        width, height = canvas.size["width"], canvas.size["height"]
        listen = s["beats"][keep[len(keep) // 2]]
        x = (listen["start"] + listen["end"]) / 2 / s["inputDuration"] * width
        ActionChains(driver).move_to_element_with_offset(canvas, int(x - width / 2), int(116 - height / 2)).click().perform()
        wait_for("the input to play from the clicked beat",
                 lambda: not audio("in")[0] and listen["start"] + 0.1 < audio("in")[1] < listen["start"] + 1.5, 10)
        driver.find_element(By.ID, "ab").click()
        source_at = audio("in")[1]
        expected_out = output_time(s["keptRanges"], source_at)
        wait_for("the output to play after A/B", lambda: not audio("out")[0], 10)
        out_at = audio("out")[1]
        check(audio("in")[0], "input still playing after A/B")
        check(abs(out_at - expected_out) < 0.35, f"A/B put the output at {out_at:.2f} s, expected {expected_out:.2f} s")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.SPACE)
        wait_for("space to pause", lambda: audio("out")[0] and audio("in")[0], 5)
        figures["ab_source_s"], figures["ab_output_s"] = round(source_at, 3), round(out_at, 3)

        # Correct: three KEEP beats to CUT, clicked on the label row.
        chosen = [keep[1], keep[len(keep) // 2], keep[-2]] if len(keep) >= 5 else keep[:3]
        driver.find_element(By.CSS_SELECTOR, "button.brush[data-label='CUT']").click()
        for b in chosen:
            beat = s["beats"][b]
            x = (beat["start"] + beat["end"]) / 2 / s["inputDuration"] * width
            ActionChains(driver).move_to_element_with_offset(canvas, int(x - width / 2), int(10 - height / 2)).click().perform()
            wait_for(f"beat {b} to be CUT", lambda: state()["beats"][b]["label"] == "CUT", 10)
        s2 = wait_for("the new output", settled, args.timeout)
        after = float(shown())
        removed = sum(s["beats"][b]["end"] - s["beats"][b]["start"] for b in chosen)
        hop = 512 / s["sampleRate"]
        check(abs((before - after) - removed) <= hop + 1e-6,
              f"output went {before:.4f} → {after:.4f} s, expected a drop of {removed:.4f} s")
        changed = [i for i, (a, b) in enumerate(zip(s["beats"], s2["beats"])) if a["label"] != b["label"]]
        check(changed == sorted(chosen), f"beats changed: {changed}, clicked {chosen}")
        figures.update(before_s=round(before, 4), after_s=round(after, 4), removed_s=round(removed, 4), beats_cut=chosen)

        # Undo brings the last beat back, redo cuts it again.
        last = s["beats"][chosen[-1]]
        driver.find_element(By.ID, "undo").click()
        wait_for("undo", lambda: state()["beats"][chosen[-1]]["label"] == "KEEP" and settled(), args.timeout)
        check(abs(float(shown()) - (after + last["end"] - last["start"])) <= hop + 1e-6, "undo did not restore the beat's length")
        driver.find_element(By.ID, "redo").click()
        wait_for("redo", lambda: state()["beats"][chosen[-1]]["label"] == "CUT" and settled(), args.timeout)
        check(abs(float(shown()) - after) <= 1e-9, "redo did not give the cut output again")
        s3 = state()

        # Export through the page's buttons and check every file.
        for kind in ["wav", "labels", "otio", "edl"]:
            driver.find_element(By.ID, f"export-{kind}").click()
            time.sleep(0.3)
        stem = os.path.splitext(s["name"])[0]
        wav_path = downloaded(args.downloads, f"{stem}-edited.wav")
        with wave.open(wav_path) as w:
            wav_seconds = w.getnframes() / w.getframerate()
            check(w.getnchannels() == 1 and w.getframerate() == s["sampleRate"], "exported WAV is not mono at the input's rate")
        check(abs(wav_seconds - after) < 1.5 / s["sampleRate"], f"exported WAV lasts {wav_seconds:.4f} s, the page shows {after:.4f} s")
        labels = json.load(open(downloaded(args.downloads, f"{stem}-labels.json")))
        check([x["label"] for x in labels] == [b["label"] for b in s3["beats"]], "exported labels differ from the page's")
        check(all(labels[b]["label"] == "CUT" for b in chosen), "exported labels do not have the three cuts")
        check(all(set(x) >= {"start", "end", "label"} for x in labels), "labels lack start/end/label")
        kept = kept_ranges(labels)

        timeline = otio.adapters.read_from_file(downloaded(args.downloads, f"{stem}-edited.otio"))
        clips = list(timeline.find_clips())
        check(len(clips) == len(kept), f".otio has {len(clips)} clips, the labels keep {len(kept)} ranges")
        for c, (a, b) in zip(clips, kept):
            r = c.source_range
            start, end = r.start_time.to_seconds(), r.end_time_exclusive().to_seconds()
            check(abs(start - a) < 1e-4 and abs(end - b) < 1e-4, f".otio clip {start:.4f}–{end:.4f} s, kept beats {a:.4f}–{b:.4f} s")
        check(abs(timeline.duration().to_seconds() - sum(b - a for a, b in kept)) < 1e-3, ".otio duration is not the kept beats'")

        edl = parse_edl(open(downloaded(args.downloads, f"{stem}-edited.edl")).read(), fps=25)
        check(len(edl) == len(kept), f"EDL has {len(edl)} events, the labels keep {len(kept)} ranges")
        record = 0.0
        for (si, so, ri, ro), (a, b) in zip(edl, kept):
            check(abs(si - a) <= 0.5 / 25 + 1e-9 and abs(so - b) <= 0.5 / 25 + 1e-9, f"EDL source {si:.3f}–{so:.3f} s, kept {a:.3f}–{b:.3f} s")
            check(abs(ri - record) < 1e-9 and abs((ro - ri) - (so - si)) < 1e-9, "EDL record times do not run on")
            record = ro
        figures.update(wav_s=round(wav_seconds, 4), clips=len(clips), edl_events=len(edl))

        # A picture of the page with the output playing.
        driver.find_element(By.ID, "play-output").click()
        time.sleep(1.2)
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.SPACE)
        os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
        driver.save_screenshot(args.screenshot)
        figures["total_s"] = round(time.time() - t0, 2)
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"] if hasattr(driver, "get_log") else []
        check(not errors, f"the page logged errors: {errors}")
    except Failure as e:
        try:
            driver.save_screenshot(os.path.join(args.downloads, "failure.png"))
        except Exception:
            pass
        print(f"studio browser test failed: {e}", file=sys.stderr)
        return 1
    finally:
        driver.quit()
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
