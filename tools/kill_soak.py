#!/usr/bin/env python3
"""Kills super-editor with SIGKILL at random moments and checks that nothing it leaves is half
written, and that a rerun finishes with the same result as an uninterrupted run.

For each command (prepare, train reconstruction, train policy, edit):
  1. an uninterrupted reference run;
  2. trials: start the command, SIGKILL it after a random time, check every file under its
     output whose name says it is finished (not a hidden temporary) is whole; start it again
     (training with --resume once a checkpoint exists, edit with --force) and kill it again,
     `--kills-per-trial` times; then let it run to the end and compare its files with the
     reference, byte for byte.

    tools/kill_soak.py --bin .build/release/super-editor --work /tmp/soak --kills 50

Python standard library only (3.9+). Exits non-zero on the first broken rule.
"""
import argparse
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import time
import wave
import zipfile

ENV = dict(os.environ, OPENBLAS_NUM_THREADS="1")


def run(cmd, **kw):
    p = subprocess.run(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"kill_soak: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return p


# ---- checks that a finished file is whole -------------------------------------------------

def check_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    end = max([v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"] + [0])
    assert 8 + n + end == len(data), f"{len(data)} bytes, header says {8 + n + end}"


def check_npy(data):
    assert data[:6] == b"\x93NUMPY", "bad magic"
    n = struct.unpack("<H", data[8:10])[0] if data[6] == 1 else struct.unpack("<I", data[8:12])[0]
    start = 10 if data[6] == 1 else 12
    header = data[start:start + n].decode("latin1")
    shape = eval(header.split("'shape':")[1].split(")")[0] + ")")  # noqa: S307 - our own files
    descr = header.split("'descr':")[1].split("'")[1]
    item = int(descr[2:]) if descr[1] in "fi" else 1
    count = 1
    for d in shape:
        count *= d
    assert len(data) == start + n + count * item, f"{len(data)} bytes, header says {start + n + count * item}"


def check_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[-8:-4] == b"IEND", "no PNG end chunk"


def check_wav(path):
    with wave.open(path) as w:
        need = w.getnframes() * w.getnchannels() * w.getsampwidth()
        assert len(w.readframes(w.getnframes())) == need, "fewer frames than the header says"


def check_whole(root):
    """Every non-hidden file under `root` whose type we know is complete."""
    checked = 0
    for folder, dirs, files in os.walk(root):
        for name in files:
            if name.startswith("."):
                continue  # a writer's temporary (.NAME.tmp-PID-…) or a pending companion
            path = os.path.join(folder, name)
            try:
                if name.endswith(".safetensors"):
                    check_safetensors(path)
                elif name.endswith(".npy"):
                    check_npy(open(path, "rb").read())
                elif name.endswith(".npz"):
                    with zipfile.ZipFile(path) as z:
                        for member in z.namelist():
                            check_npy(z.read(member))
                elif name.endswith(".json"):
                    json.load(open(path))
                elif name.endswith(".wav"):
                    check_wav(path)
                elif name.endswith(".png"):
                    check_png(path)
                else:
                    continue  # metrics.jsonl and TensorBoard events are append-only logs
            except Exception as e:  # noqa: BLE001 - any failure to read is the bug we look for
                sys.exit(f"kill_soak: {path}: half-written after a kill ({e})")
            checked += 1
    return checked


def finished_files(root):
    """The files a comparison looks at: every non-hidden file except logs and plots."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in files:
            if name.startswith(".") or name.endswith(".jsonl") or "tfevents" in name or name.endswith(".png"):
                continue
            path = os.path.join(folder, name)
            out[os.path.relpath(path, root)] = open(path, "rb").read()
    return out


def compare(ref, got, what):
    a, b = finished_files(ref), finished_files(got)
    if set(a) != set(b):
        sys.exit(f"kill_soak: {what}: files differ from the uninterrupted run: only there {sorted(set(a) - set(b))}, "
                 f"only here {sorted(set(b) - set(a))}")
    for name in sorted(a):
        if a[name] != b[name]:
            sys.exit(f"kill_soak: {what}: {name} differs from the uninterrupted run's")
    metrics_ref, metrics_got = os.path.join(ref, "metrics.jsonl"), os.path.join(got, "metrics.jsonl")
    if os.path.exists(metrics_ref):
        keys = lambda p: [{k: v for k, v in json.loads(l).items() if "seconds" not in k and "per_second" not in k}
                          for l in open(p)]
        if keys(metrics_ref) != keys(metrics_got):
            sys.exit(f"kill_soak: {what}: metrics.jsonl does not read as one uninterrupted run")
    return len(a)


# ---- the commands -------------------------------------------------------------------------

class Command:
    def __init__(self, name, make_cmd, out_is_dir, resume_flag):
        self.name, self.make_cmd, self.out_is_dir, self.resume_flag = name, make_cmd, out_is_dir, resume_flag

    def can_resume(self, out):
        if self.resume_flag == "--resume":
            return os.path.exists(os.path.join(out, "last.safetensors"))
        return self.resume_flag == "--force" and os.path.exists(out)


def commands(bin_, work):
    data, cache, models = f"{work}/data", f"{work}/ref/prepare", f"{work}/ref"
    return [
        Command("prepare", lambda out: [bin_, "prepare", "--raw", f"{data}/raw", "--edited", f"{data}/edited", "--out", out],
                True, None),
        Command("train-reconstruction", lambda out: [bin_, "train", "reconstruction", "--data", cache, "--out", out,
                                                     "--preset", "tiny", "--steps", "16", "--validate-every", "4",
                                                     "--batch-size", "2", "--seed", "3"], True, "--resume"),
        Command("train-policy", lambda out: [bin_, "train", "policy", "--data", cache, "--out", out,
                                             "--reconstruction", f"{models}/train-reconstruction/best.safetensors",
                                             "--warm-start-steps", "20", "--updates", "4", "--validate-every", "2",
                                             "--batch-size", "2", "--seed", "4"], True, "--resume"),
        Command("edit", lambda out: [bin_, "edit", f"{data}/raw/{first_raw(data)}", "-o", f"{out}/edited.wav",
                                     "--labels-out", f"{out}/labels.json", "--plot", f"{out}/plot.png",
                                     "--policy", f"{models}/train-policy/best.safetensors",
                                     "--reconstruction", f"{models}/train-reconstruction/best.safetensors"], True, "--force"),
    ]


def first_raw(data):
    return sorted(os.listdir(f"{data}/raw"))[0]


def start(cmd, out, resume_flag):
    os.makedirs(out, exist_ok=True) if cmd.name == "edit" else None
    argv = cmd.make_cmd(out)
    if resume_flag == "--resume" and "--preset" in argv:  # a resumed run keeps its saved config
        i = argv.index("--preset")
        argv = argv[:i] + argv[i + 2:]
    argv += [resume_flag] if resume_flag else []
    return subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True), argv


def trial(cmd, out, ref_seconds, kills, rng):
    if os.path.exists(out):
        shutil.rmtree(out)
    if cmd.name == "edit":
        os.makedirs(out)
    done_kills = 0
    while done_kills < kills:
        flag = cmd.resume_flag if cmd.can_resume(out) else None
        proc, argv = start(cmd, out, flag)
        delay = rng.uniform(0.05, ref_seconds)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            done_kills += 1
            check_whole(out)
            continue
        if proc.returncode != 0:
            sys.exit(f"kill_soak: {cmd.name}: a rerun after a kill failed ({proc.returncode}): {' '.join(argv)}\n"
                     f"{proc.stderr.read()[-2000:]}")
        # It finished before the kill: start over, so that every trial holds `kills` kills.
        shutil.rmtree(out)
        if cmd.name == "edit":
            os.makedirs(out)
    flag = cmd.resume_flag if cmd.can_resume(out) else None
    proc, argv = start(cmd, out, flag)
    if proc.wait() != 0:
        sys.exit(f"kill_soak: {cmd.name}: the final rerun failed: {' '.join(argv)}\n{proc.stderr.read()[-2000:]}")
    check_whole(out)
    for folder, dirs, files in os.walk(out):
        left = [f for f in files if ".tmp-" in f or f.endswith(".pending")]
        if left:
            sys.exit(f"kill_soak: {cmd.name}: the finished rerun left temporaries in {folder}: {left}")
    return done_kills


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--kills", type=int, default=4, help="kills per command")
    ap.add_argument("--kills-per-trial", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="", help="comma-separated command names")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = os.path.abspath(args.work)
    bin_ = os.path.abspath(args.bin)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(f"{work}/ref")
    run([bin_, "synth", "--out", f"{work}/data", "--count", "6", "--seed", "11", "--seconds", "8-10"])
    only = set(filter(None, args.only.split(",")))
    for cmd in commands(bin_, work):
        ref = f"{work}/ref/{cmd.name}"
        if cmd.name == "edit":
            os.makedirs(ref)
        t0 = time.time()
        run(cmd.make_cmd(ref))
        seconds = time.time() - t0
        if only and cmd.name not in only:
            continue
        kills, trials = 0, 0
        t0 = time.time()
        while kills < args.kills:
            kills += trial(cmd, f"{work}/trial", seconds, min(args.kills_per_trial, args.kills - kills), rng)
            trials += 1
            n = compare(ref, f"{work}/trial", cmd.name)
        print(f"{cmd.name}: {kills} kills in {trials} trials ({time.time() - t0:.0f} s; uninterrupted run {seconds:.1f} s): "
              f"no half-written file, and {n} files equal the uninterrupted run's", flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
