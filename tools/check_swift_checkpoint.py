"""Loads a checkpoint that Swift trained into the PyTorch reference and checks that it gives
the output Swift gave.

    super-editor reconstruct --checkpoint RUN/best.safetensors --mel MEL.npy --labels LABELS.npy --out SWIFT_OUT.npy --raw
    python tools/check_swift_checkpoint.py RUN/best.safetensors MEL.npy LABELS.npy SWIFT_OUT.npy

Needs torch, numpy and safetensors (tools/requirements-models.txt) and the reference at
../shared/reference (or --reference). Prints the relative error and exits non-zero above 1e-4.
"""
import argparse, json, os, sys
import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file

ap = argparse.ArgumentParser()
ap.add_argument("checkpoint"); ap.add_argument("mel"); ap.add_argument("labels"); ap.add_argument("swift_out")
ap.add_argument("--reference", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "reference"))
a = ap.parse_args()
sys.path.insert(0, a.reference)
import super_editor_ref as ref

with safe_open(a.checkpoint, "pt") as f:
    meta = f.metadata()
assert meta["kind"] == "reconstruction", meta.get("kind")
cfg = json.loads(meta["config"])
model = ref.ReconstructionModel(**cfg).eval()
missing, unexpected = model.load_state_dict(load_file(a.checkpoint), strict=True)
mel = torch.from_numpy(np.load(a.mel)).float()
labels = torch.from_numpy(np.load(a.labels)).long()
if mel.dim() == 2:
    mel, labels = mel[None], labels[None]
with torch.no_grad():
    out = model(mel, labels).numpy()
swift = np.load(a.swift_out).reshape(out.shape)
err = float(np.linalg.norm(out - swift) / np.linalg.norm(out))
print(json.dumps({"checkpoint": a.checkpoint, "step": meta.get("step"), "config": cfg, "relative_error": err}))
sys.exit(0 if err < 1e-4 else 1)
