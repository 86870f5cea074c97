#!/usr/bin/env python3
"""How well two beat-level cues tell a section at the wrong level from clean music.

Reads pairs made by `super-editor style-pairs --style cleanup` (their truth/*.json, which
names each defect's reason) and the `prepare` cache of the same pairs (features/*_raw.npz),
and for every clean (KEEP) beat and every wrong-level beat computes:
- the level against the median of the eight beats either side (beat feature 17), and
- the level against the three beats elsewhere in the track (at least five beats away) whose
  spectra, the gain taken out, are closest (`RepeatLevel`, beat features 27-28).
It prints the share of each kind of beat that each cue puts more than 2, 3 and 4 dB off.
A re-implementation for analysis only (numpy 2.4.6); the product computes these in Swift.

  python3 tools/repeat_level_separation.py --truth WORK/pairs/real/truth --cache WORK/cache2 --every 6
"""
import argparse, glob, json, os
import numpy as np

def beat_levels(db, edges):
    """Per beat: mean power of each group of 4 mel bands (dB) and the median frame's total (dB)."""
    groups, total = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        seg = db[a:max(b, a + 1)]
        p = 10 ** (seg / 10)
        groups.append(10 * np.log10(np.maximum(p.reshape(len(seg), -1, 4).mean(2).mean(0), 1e-12)))
        total.append(np.median(10 * np.log10(p.sum(1))))
    return np.array(groups), np.array(total)

def twin_gain(v, k, floor):
    best = []
    for j in range(len(v)):
        if abs(j - k) < 5: continue
        m = (v[k] > floor) & (v[j] > floor)
        if m.sum() < 4: continue
        d = v[k][m] - v[j][m]; g = d.mean()
        best.append((np.abs(d - g).mean(), g))
    if not best: return 0.0
    best.sort()
    return float(np.median([g for _, g in best[:3]]))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", required=True); ap.add_argument("--cache", required=True)
    ap.add_argument("--every", type=int, default=1, help="use every n-th pair")
    a = ap.parse_args()
    cues = {"keep": ([], [], []), "wrong level": ([], [], [])}
    for f in sorted(glob.glob(os.path.join(a.truth, "*.json")))[::a.every]:
        t = json.load(open(f))
        z = np.load(os.path.join(a.cache, "features", t["id"] + "_raw.npz"))
        lo, hi = float(z["db_min"]), float(z["db_max"])
        db = z["mel"] * (hi - lo) + lo
        frames = np.round(np.array(t["beat_times"]) * int(z["sample_rate"]) / int(z["hop_length"])).astype(int)
        edges = list(frames) + [len(db)]
        reason = ["keep"] * len(frames)
        for e in t["edit_script"]:
            for b in range(e["first_beat"], e["last_beat"] + 1):
                reason[b] = e.get("reason") or e["label"].lower()
        v, total = beat_levels(db, edges)
        twins = [twin_gain(v, k, lo + 3) for k in range(len(reason))]
        near = lambda x, k: x[k] - np.median([x[j] for j in range(max(0, k - 8), min(len(x), k + 9)) if j != k])
        for k, r in enumerate(reason):
            if r not in cues: continue
            cues[r][0].append(near(total, k))
            cues[r][1].append(twins[k])
            cues[r][2].append(near(twins, k))
    for r, (near, twin, both) in cues.items():
        near, twin, both = np.abs(np.array(near)), np.abs(np.array(twin)), np.abs(np.array(both))
        print(f"{r}: {len(near)} beats; more than 2/3/4 dB off: neighbours' median "
              + "/".join(f"{(near > x).mean():.1%}" for x in (2, 3, 4))
              + ", closest twins " + "/".join(f"{(twin > x).mean():.1%}" for x in (2, 3, 4))
              + ", twins against the neighbours' " + "/".join(f"{(both > x).mean():.1%}" for x in (2, 3, 4)))

if __name__ == "__main__":
    main()
