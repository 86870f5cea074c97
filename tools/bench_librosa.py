#!/usr/bin/env python3
"""Times librosa 0.11 on the steps `super-editor bench dsp` times, in-process and warm.

Usage:  python tools/bench_librosa.py --input AUDIO [--repeats 5] [--json]
        (make the default input with: super-editor bench dsp --save-input track.wav)
        python tools/bench_librosa.py --input AUDIO --features-out OUT.npz
        (the librosa twin of `super-editor features AUDIO --out OUT.npz`, for timing both
        cold as whole processes, e.g. with `time`)
Needs:  pip install -r tools/requirements-dsp.txt

Each step runs once untimed (numba compilation and caches), then `repeats` timed runs; the
median is reported, with the same keys as `super-editor bench dsp --json`:
  load_s   librosa.load(path, sr=22050): decode, downmix, soxr_hq resampling
  mel_s    melspectrogram (n_fft 2048, hop 512, 128 mels) + power_to_db(ref=np.max)
  beats_s  librosa.beat.beat_track(y=y, sr=22050)
"""
import argparse
import json
import statistics
import time

import numpy as np
import librosa


def timed(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--features-out", help="compute the guide's features once and save them, then exit")
    args = ap.parse_args()

    if args.features_out:
        y, sr = librosa.load(args.input, sr=22050)
        S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=2048, hop_length=512, n_mels=128)
        db = librosa.power_to_db(S, ref=np.max)
        mel = ((db - db.min()) / (db.max() - db.min() + 1e-8)).T.astype(np.float32)
        _, beats = librosa.beat.beat_track(y=y, sr=sr, hop_length=512, units="time")
        np.savez(args.features_out, mel=mel, beat_times=beats, db_min=db.min(), db_max=db.max(),
                 sample_rate=np.int64(sr), hop_length=np.int64(512))
        return

    y, sr = librosa.load(args.input, sr=22050)
    load_s = timed(lambda: librosa.load(args.input, sr=22050), args.repeats)

    def mel():
        S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=2048, hop_length=512, n_mels=128)
        return librosa.power_to_db(S, ref=np.max)

    mel_s = timed(mel, args.repeats)
    beats_s = timed(lambda: librosa.beat.beat_track(y=y, sr=sr, hop_length=512), args.repeats)
    result = {"seconds_of_audio": len(y) / sr, "load_s": load_s, "mel_s": mel_s, "beats_s": beats_s}
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(f"{result['seconds_of_audio']:.1f} s of audio: load {load_s:.4f} s, mel {mel_s:.4f} s, beats {beats_s:.4f} s")


if __name__ == "__main__":
    main()
