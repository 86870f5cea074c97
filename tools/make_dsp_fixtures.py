#!/usr/bin/env python3
"""Writes the AudioDSP parity fixtures under Fixtures/dsp/ with librosa 0.11.

Usage:  python tools/make_dsp_fixtures.py [--out Fixtures/dsp]
Needs:  pip install -r tools/requirements-dsp.txt

Every input signal is synthesised here with fixed seeds and saved as a 16-bit FLAC (lossless,
small, and decoded identically by libsndfile in Swift and by soundfile in Python). The
expected outputs are what librosa computes after `librosa.load` of that very file, stored as
raw little-endian float32 `.bin` files plus `index.json`, so the Swift tests read them without
Python or an NPY reader.
"""
import argparse
import json
import os

import numpy as np
import soundfile as sf
import librosa

SR = 22050
HOP = 512
N_FFT = 2048
N_MELS = 128


def synth_music(seconds, bpm=120.0, sr=SR, seed=0):
    """Drums (kick, snare, hat), a bass line and chords on a fixed grid."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    y = np.zeros(n)
    beat = 60.0 / bpm
    t_env = np.arange(int(0.4 * sr)) / sr

    def add(start, sig):
        i = int(round(start * sr))
        if i >= n:
            return
        m = min(len(sig), n - i)
        y[i:i + m] += sig[:m]

    kick = np.sin(2 * np.pi * (50 + 100 * np.exp(-t_env * 30)) * t_env) * np.exp(-t_env * 12)
    snare = rng.standard_normal(len(t_env)) * np.exp(-t_env * 25) * 0.5 + \
        np.sin(2 * np.pi * 190 * t_env) * np.exp(-t_env * 20) * 0.3
    t_hat = t_env[: int(0.06 * sr)]
    hat = rng.standard_normal(len(t_hat)) * np.exp(-t_hat * 80) * 0.15
    bass_notes = [55.0, 55.0, 65.41, 73.42, 49.0, 49.0, 61.74, 65.41]
    chords = [[220.0, 261.63, 329.63], [196.0, 246.94, 293.66], [174.61, 220.0, 261.63], [196.0, 246.94, 293.66]]
    n_beats = int(seconds / beat) + 1
    for b in range(n_beats):
        t0 = b * beat
        add(t0, kick if b % 2 == 0 else snare)
        add(t0, hat)
        add(t0 + beat / 2, hat)
        f = bass_notes[b % len(bass_notes)]
        tb = np.arange(int(beat * 0.9 * sr)) / sr
        add(t0, 0.3 * np.sin(2 * np.pi * f * tb) * np.exp(-tb * 3))
        if b % 4 == 0:
            tc = np.arange(int(4 * beat * sr)) / sr
            env = np.minimum(1, tc * 20) * np.exp(-tc * 0.6)
            add(t0, sum(0.08 * np.sin(2 * np.pi * fc * tc) for fc in chords[(b // 4) % 4]) * env)
    return 0.8 * y / np.max(np.abs(y))


def chirp(seconds, sr=SR):
    return 0.5 * librosa.chirp(fmin=60, fmax=8000, sr=sr, duration=seconds, linear=False)


def clicks(seconds, bpm, sr=SR):
    times = np.arange(0.25, seconds, 60.0 / bpm)
    return 0.9 * librosa.clicks(times=times, sr=sr, length=int(seconds * sr))


def noise(seconds, sr=SR, seed=1):
    return 0.3 * np.random.default_rng(seed).uniform(-1, 1, int(seconds * sr))


def write_bin(path, arr, dtype):
    np.ascontiguousarray(arr, dtype=dtype).astype(np.dtype(dtype).newbyteorder("<")).tofile(path)


def analyse(name, path, out, index, extra=None):
    y, sr = librosa.load(path, sr=SR)
    S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    db = librosa.power_to_db(S, ref=np.max)
    lo, hi = float(db.min()), float(db.max())
    mel = ((db - db.min()) / (db.max() - db.min() + 1e-8)).T  # (T, 128)
    write_bin(os.path.join(out, f"{name}_mel.bin"), mel, np.float32)
    onset = librosa.onset.onset_strength(y=y, sr=sr, hop_length=HOP, aggregate=np.median)
    write_bin(os.path.join(out, f"{name}_onset.bin"), onset, np.float32)
    tempo, beats = librosa.beat.beat_track(y=y, sr=sr, hop_length=HOP)
    entry = {
        "file": os.path.basename(path),
        "sample_rate": sr,
        "n_samples": int(len(y)),
        "frames": int(mel.shape[0]),
        "n_mels": N_MELS,
        "db_min": lo,
        "db_max": hi,
        "mel": f"{name}_mel.bin",
        "onset_median": f"{name}_onset.bin",
        "tempo": float(np.atleast_1d(tempo)[0]),
        "beat_frames": [int(b) for b in beats],
    }
    if extra:
        entry.update(extra)
    index["signals"][name] = entry
    return y, sr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Fixtures", "dsp"))
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    index = {"librosa": librosa.__version__, "numpy": np.__version__, "signals": {}}

    # Mono inputs at 22 050 Hz.
    music = synth_music(6.0)
    signals = {
        "music": music,
        "chirp": chirp(2.0),
        "clicks": clicks(6.0, bpm=100.0),
        "noise": noise(1.0),
        "silence_padded": np.concatenate([np.zeros(SR), music[: 2 * SR], np.zeros(SR)]),
    }
    for name, y in signals.items():
        path = os.path.join(out, f"{name}.flac")
        sf.write(path, y, SR, subtype="PCM_16")
        analyse(name, path, out, index)

    # 44.1 kHz stereo: different content in each channel, so downmix and resampling matter.
    sr2 = 44100
    n2 = int(1.5 * sr2)
    t = np.arange(n2) / sr2
    left = 0.4 * np.sin(2 * np.pi * 440 * t) * (1 + 0.5 * np.sin(2 * np.pi * 2 * t))
    right = 0.3 * librosa.chirp(fmin=200, fmax=12000, sr=sr2, duration=1.5) + \
        0.2 * np.sign(np.sin(2 * np.pi * 3 * t)) * np.sin(2 * np.pi * 1500 * t)
    path = os.path.join(out, "stereo44k.flac")
    sf.write(path, np.stack([left, right], axis=1), sr2, subtype="PCM_16")
    y, _ = analyse("stereo44k", path, out, index, {"original_sample_rate": sr2, "channels": 2,
                                                    "loaded": "stereo44k_loaded.bin"})
    write_bin(os.path.join(out, "stereo44k_loaded.bin"), y, np.float32)

    # DTW: the music's log-mel (first 48 bands, every other frame) against a warped copy.
    y, _ = librosa.load(os.path.join(out, "music.flac"), sr=SR)
    X = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=SR))[:48:2, :120].astype(np.float32)
    rng = np.random.default_rng(2)
    warp = np.sort(np.clip(np.round(np.cumsum(rng.uniform(0.5, 1.6, 150))).astype(int), 0, X.shape[1] - 1))
    Y = (X[:, warp] + rng.normal(0, 0.5, (X.shape[0], len(warp)))).astype(np.float32)
    Q = X[:, 40:70].copy()  # a query that occurs inside X
    Q += rng.normal(0, 0.3, Q.shape).astype(np.float32)
    write_bin(os.path.join(out, "dtw_X.bin"), X, np.float32)
    write_bin(os.path.join(out, "dtw_Y.bin"), Y, np.float32)
    write_bin(os.path.join(out, "dtw_Q.bin"), Q, np.float32)
    dtw = {"dims": int(X.shape[0]), "X": "dtw_X.bin", "X_frames": int(X.shape[1]), "Y": "dtw_Y.bin",
           "Y_frames": int(Y.shape[1]), "Q": "dtw_Q.bin", "Q_frames": int(Q.shape[1])}
    for metric in ("euclidean", "cosine"):
        D, wp = librosa.sequence.dtw(X=X, Y=Y, metric=metric)
        dtw[f"path_{metric}"] = wp.tolist()
        dtw[f"cost_{metric}"] = float(D[-1, -1])
    D, wp = librosa.sequence.dtw(X=Q, Y=X, metric="euclidean", subseq=True)
    dtw["path_subseq_QX"] = wp.tolist()
    D, wp = librosa.sequence.dtw(X=X, Y=Q, metric="euclidean", subseq=True)
    dtw["path_subseq_XQ"] = wp.tolist()
    index["dtw"] = dtw

    # Griffin-Lim with init=None (deterministic) on the magnitude STFT of the chirp and the music.
    gl = {}
    for name in ("chirp", "music"):
        y, _ = librosa.load(os.path.join(out, f"{name}.flac"), sr=SR)
        y = y[: 2 * SR]
        S = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP))
        yg = librosa.griffinlim(S, n_iter=32, hop_length=HOP, n_fft=N_FFT, momentum=0.99, init=None)
        Sg = np.abs(librosa.stft(yg, n_fft=N_FFT, hop_length=HOP))
        sc = float(np.linalg.norm(S - Sg) / np.linalg.norm(S))
        gl[name] = {"seconds": 2.0, "n_iter": 32, "spectral_convergence": sc, "output_samples": int(len(yg))}
    index["griffinlim"] = gl

    # mel_to_stft (NNLS): the relative mel reconstruction error librosa's solution reaches.
    y, _ = librosa.load(os.path.join(out, "chirp.flac"), sr=SR)
    M = librosa.feature.melspectrogram(y=y, sr=SR)
    Sx = librosa.feature.inverse.mel_to_stft(M, sr=SR)
    basis = librosa.filters.mel(sr=SR, n_fft=N_FFT)
    rel = float(np.linalg.norm(basis @ (Sx ** 2) - M) / np.linalg.norm(M))
    index["mel_to_stft"] = {"signal": "chirp", "relative_mel_error": rel}

    # Real recordings beside the repository (never committed): only librosa's answers are
    # stored, for a test that skips when ../shared/audio is absent.
    shared = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "shared", "audio"))
    if os.path.isdir(shared):
        recs = {}
        for name in sorted(os.listdir(shared)):
            if not name.endswith(".ogg"):
                continue
            y, sr = librosa.load(os.path.join(shared, name), sr=SR)
            S = librosa.feature.melspectrogram(y=y, sr=sr)
            db = librosa.power_to_db(S, ref=np.max)
            mel = (db - db.min()) / (db.max() - db.min() + 1e-8)
            tempo, beats = librosa.beat.beat_track(y=y, sr=sr)
            recs[name] = {"n_samples": int(len(y)), "frames": int(S.shape[1]), "db_min": float(db.min()),
                          "db_max": float(db.max()), "mel_mean": float(mel.mean(dtype=np.float64)),
                          "tempo": float(np.atleast_1d(tempo)[0]), "beat_frames": [int(b) for b in beats]}
        with open(os.path.join(out, "shared_audio.json"), "w") as f:
            json.dump(recs, f, indent=1)

    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
    total = sum(os.path.getsize(os.path.join(out, p)) for p in os.listdir(out))
    print(f"wrote {len(os.listdir(out))} files, {total / 1e6:.2f} MB, to {out}")


if __name__ == "__main__":
    main()
