#!/usr/bin/env python3
"""Does a gain change show at a beat line as a step of the same size in every band?

A section put at the wrong level is the music times one gain, so at its first and last beat
lines every band with energy should move by the same number of dB, where a beat line of real
music moves bands unevenly (an onset lifts some, a held note decays in others). This measures
that cue at every beat line of pairs made by `super-editor style-pairs --style cleanup`:
the step's evenness is the 10th percentile of the bands' dB changes for a step up (the 90th,
negated, for a step down), best of three places around the line; even steps score high.
- `--source mel`: the `prepare` cache's normalised mel (93 ms frames), three frames before the
  line against three after, bands above -60 dB: what a beat feature could read from the cache;
- `--source wave`: the raw WAV, 1024-sample (46 ms) Hann frames, 32 log-spaced bands, the
  60 ms before the line against the 60 ms after it (a 10 ms gap each side).
It prints the spread of the score for clean lines (KEEP to KEEP) and for the first and last
lines of the sections 6 dB too loud (those whose median step is under 10 dB), and the share of
each above 2, 3 and 4 dB. Analysis only (numpy 2.4.6): nothing in the product reads it.

  python3 tools/line_step_separation.py --pairs WORK/pairs/real --cache WORK/cache2 --every 3
"""
import argparse, glob, json, os, wave
import numpy as np

def mel_spectra(cache, pair_id):
    z = np.load(f"{cache}/features/{pair_id}_raw.npz")
    db = z["mel"] * 80.0
    hop = int(z["hop_length"]); sr = int(z["sample_rate"])
    def at(sample):
        f = int(round(sample / hop))
        if f - 4 < 0 or f + 4 > len(db): return None
        return db[f - 4:f - 1].mean(0), db[f + 1:f + 4].mean(0)
    return at, hop, sr, 20.0

def wave_spectra(path):
    w = wave.open(path)
    x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64) / 32768
    sr, n = w.getframerate(), 1024
    win = np.hanning(n); edges = np.unique(np.geomspace(3, n // 2, 33).astype(int))
    def bands(centre):
        a = centre - n // 2
        if a < 0 or a + n > len(x): return None
        p = np.abs(np.fft.rfft(x[a:a + n] * win)) ** 2
        return np.add.reduceat(p, edges)[:-1]
    def at(sample):
        before = [bands(sample - int(0.06 * sr) + i * 256) for i in range(3)]
        after = [bands(sample + int(0.015 * sr) + i * 256) for i in range(3)]
        if any(b is None for b in before + after): return None
        to_db = lambda p: 10 * np.log10(np.maximum(np.mean(p, 0), 1e-12))
        b, a = to_db(before), to_db(after)
        return b, a
    return at, 256, sr, None

def evenness(before, after, floor):
    top = max(before.max(), after.max())
    m = np.maximum(before, after) > (floor if floor is not None else top - 70)
    if m.sum() < 8: return None
    d = after[m] - before[m]
    med = np.median(d)
    return (np.percentile(d, 10) if med > 0 else -np.percentile(d, 90)), med

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", required=True); ap.add_argument("--cache")
    ap.add_argument("--source", choices=["mel", "wave"], default="mel")
    ap.add_argument("--every", type=int, default=3)
    a = ap.parse_args()
    scores = {"clean": [], "loud start": [], "loud end": []}
    for tf in sorted(glob.glob(f"{a.pairs}/truth/*.json"))[::a.every]:
        truth = json.load(open(tf)); pid = os.path.basename(tf)[:-5]
        at, hop, sr, floor = mel_spectra(a.cache, pid) if a.source == "mel" else wave_spectra(f"{a.pairs}/raw/{pid}.wav")
        steps = truth["edit_script"]
        reasons = [s["reason"] for s in steps]
        for k in range(2, len(steps) - 1):
            line = int(steps[k]["start"] * sr)
            best = None
            for off in (-1, 0, 1):
                spectra = at(line + off * hop)
                e = spectra and evenness(*spectra, floor)
                if e and (best is None or e[0] > best[0]): best = e
            if best is None: continue
            prev, cur = reasons[k - 1], reasons[k]
            if prev == "keep" and cur == "keep": kind = "clean"
            elif cur == "wrong level" and prev != "wrong level": kind = "loud start"
            elif prev == "wrong level" and cur != "wrong level": kind = "loud end"
            else: continue
            if kind != "clean" and abs(best[1]) >= 10: continue  # a section 14 dB too quiet
            scores[kind].append(best[0])
    for kind, v in scores.items():
        v = np.array(v)
        print(f"{kind:11s} {len(v):6d} lines  evenness (dB) 10/50/90%: {np.percentile(v, [10, 50, 90]).round(1)}"
              f"  above 2/3/4 dB: " + " ".join(f"{np.mean(v > t):.1%}" for t in (2, 3, 4)))

if __name__ == "__main__":
    main()
