#!/usr/bin/env python3
"""Writes the small seed inputs of the fuzz targets to Fixtures/fuzz/<target>/seed-*.

One valid file per shape the parsers take (stored and deflated .npz, F32/F64 safetensors,
WAV/FLAC/OGG through libsndfile, both phases' configs, labels), each a few hundred bytes,
so that libFuzzer starts from inputs that reach deep into the parsers within its -max_len.
Needs numpy (make pyenv) and libsndfile.  Run: .venv-tools/bin/python tools/make_fuzz_seeds.py
"""
import ctypes
import io
import json
import math
import os
import struct
import sys
import wave

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "fuzz")


def put(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


def npy(array):
    b = io.BytesIO()
    np.save(b, array)
    return b.getvalue()


def npz(compressed, **arrays):
    b = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(b, **arrays)
    return b.getvalue()


def safetensors(tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    for name, (dtype, array) in tensors.items():
        raw = array.astype("<f4" if dtype == "F32" else "<f8").tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, sort_keys=True).encode()
    text += b" " * (-(len(text) + 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def tone(rate, frames, channels):
    t = np.arange(frames) / rate
    return np.stack([0.5 * np.sin(2 * math.pi * 440 * (c + 1) * t) for c in range(channels)], axis=1)


def wav_pcm(rate, frames, channels, width):
    b = io.BytesIO()
    with wave.open(b, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        x = tone(rate, frames, channels)
        if width == 1:
            w.writeframes(((x + 1) * 127.5).astype(np.uint8).tobytes())
        else:
            w.writeframes((x * 32767).astype("<i2").tobytes())
    return b.getvalue()


class SFInfo(ctypes.Structure):
    _fields_ = [("frames", ctypes.c_int64), ("samplerate", ctypes.c_int), ("channels", ctypes.c_int),
                ("format", ctypes.c_int), ("sections", ctypes.c_int), ("seekable", ctypes.c_int)]


def sndfile(fmt, rate, frames, channels, path):
    sf = ctypes.CDLL("libsndfile.so.1")
    sf.sf_open.restype = ctypes.c_void_p
    sf.sf_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(SFInfo)]
    sf.sf_writef_float.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    sf.sf_close.argtypes = [ctypes.c_void_p]
    info = SFInfo(0, rate, channels, fmt, 0, 0)
    handle = sf.sf_open(path.encode(), 0x20, ctypes.byref(info))  # SFM_WRITE
    if not handle:
        sys.exit("libsndfile cannot write " + path)
    x = np.ascontiguousarray(tone(rate, frames, channels), dtype=np.float32)
    sf.sf_writef_float(handle, x.ctypes.data, frames)
    sf.sf_close(handle)
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    return data


def main():
    put("npy", "f4-2d.npy", npy(np.arange(6, dtype="<f4").reshape(2, 3)))
    put("npy", "f8-scalar.npy", npy(np.float64(1.5)))
    put("npy", "i8.npy", npy(np.array([1, -2, 3], dtype="<i8")))
    put("npy", "i4.npy", npy(np.array([7, 8], dtype="<i4")))
    put("npy", "bool.npy", npy(np.array([True, False])))
    put("npy", "v2.npy", npy(np.zeros((1, 2), dtype="<f4"))[:6] + b"\x02\x00" + struct.pack("<I", 118)
        + npy(np.zeros((1, 2), dtype="<f4"))[10:])

    features = dict(mel=np.full((3, 4), 0.5, dtype="<f4"), db_min=np.float32(-80), db_max=np.float32(0),
                    sample_rate=np.int64(22050), hop_length=np.int64(512), beat_times=np.array([0.0, 0.5]))
    put("npz", "stored.npz", npz(False, **features))
    put("npz", "deflated.npz", npz(True, **features))

    put("safetensors", "f32.safetensors", safetensors({"w": ("F32", np.arange(6).reshape(2, 3)),
                                                        "b": ("F32", np.ones(3))}, {"format": "pt"}))
    put("safetensors", "f64.safetensors", safetensors({"x": ("F64", np.array([0.25, -1.0]))}))

    labels = [{"start": 0.0, "end": 0.5, "label": "KEEP", "probability": 0.9},
              {"start": 0.5, "end": 1.0, "label": "CUT"}, {"start": 1.0, "end": 1.5, "label": "FADE_OUT"}]
    put("labels", "labels.json", json.dumps(labels).encode())

    put("config", "phase1.json", json.dumps({"encoder_dim": 64, "n_heads": 4, "batch_size": 8, "total_steps": 1500,
                                             "learning_rate": 0.001, "clamp_output": True, "seed": 3}).encode())
    put("config", "phase2.json", json.dumps({"predictor_dim": 64, "architecture": "beat", "ratio": "sequence",
                                             "warm_start": "none", "rl_baseline": "exact", "rl_samples": 4}).encode())

    put("audio", "u8-mono.wav", wav_pcm(8000, 200, 1, 1))
    put("audio", "s16-stereo.wav", wav_pcm(11025, 100, 2, 2))
    tmp = os.path.join(ROOT, "tmp-audio")
    put("audio", "float.wav", sndfile(0x010000 | 0x0006, 8000, 100, 1, tmp))  # WAV, FLOAT
    put("audio", "s16.flac", sndfile(0x170000 | 0x0002, 8000, 300, 1, tmp))  # FLAC, PCM_16
    put("audio", "vorbis.ogg", sndfile(0x200000 | 0x0060, 8000, 400, 1, tmp))  # OGG, VORBIS


main()
