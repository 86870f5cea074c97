"""Writes the model parity fixtures under Fixtures/model from the normative PyTorch reference.

    python tools/make_model_fixtures.py [--reference ../shared/reference] [--out Fixtures/model]

Versions: see tools/requirements-models.txt (torch 2.15.0, numpy 2.4.6, safetensors 0.8.0).
Two fixtures:
  tiny-seed0    the reference's own `fixture --preset tiny --seed 0`, unchanged;
  custom-seed1  another seed and shape (d=32, 2 heads, 1 encoder and 2 decoder layers,
                B=3, T=61) with PAD labels at the end of two sequences, so that the key
                padding mask is exercised; made with the reference's classes and functions.
"""
import argparse, json, os, sys
import numpy as np
import torch


def custom_fixture(ref, out, seed=1):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(seed)
    cfg = dict(encoder_dim=32, n_encoder_layers=1, n_decoder_layers=2, n_heads=2)
    B, T = 3, 61
    mel = torch.rand(B, T, 128)
    target = torch.rand(B, T, 128)
    labels = torch.randint(0, 7, (B, T))
    labels[1, 50:] = ref.PAD
    labels[2, 37:] = ref.PAD
    m = ref.ReconstructionModel(**cfg).eval()
    with torch.no_grad():
        m.decoder.alpha.fill_(0.85)
        pred = m(mel, labels)
    pred_g = m(mel, labels)
    losses = ref.phase1_losses(pred_g, target, labels)
    losses["total"].backward()
    grads = {k: v.grad.numpy() for k, v in m.named_parameters() if v.grad is not None}
    ref.save_safetensors(m, f"{out}/reconstruction.safetensors", "reconstruction", cfg)
    np.save(f"{out}/mel.npy", mel.numpy()); np.save(f"{out}/target.npy", target.numpy())
    np.save(f"{out}/labels.npy", labels.numpy()); np.save(f"{out}/reconstruction_out.npy", pred.numpy())
    np.savez(f"{out}/reconstruction_grads.npz", **grads)
    pcfg = dict(predictor_dim=32, n_layers=2, n_heads=4)
    pol, val = ref.EditPredictor(**pcfg).eval(), ref.ValueNetwork(**pcfg).eval()
    with torch.no_grad():
        np.save(f"{out}/policy_logits.npy", pol(mel).numpy()); np.save(f"{out}/value.npy", val(mel).numpy())
        pl = torch.randint(0, 7, (B, T))
        np.save(f"{out}/pred_labels.npy", pl.numpy())
        # The reward compares against a target of another length, as after cuts.
        short = target[:, : T - 9]
        np.save(f"{out}/reward_target.npy", short.numpy())
        np.save(f"{out}/reward.npy", ref.reward(pred, short, pl, labels).numpy())
    ref.save_safetensors(pol, f"{out}/policy.safetensors", "policy", pcfg)
    ref.save_safetensors(val, f"{out}/value.safetensors", "value", pcfg)
    json.dump({k: float(v.detach()) for k, v in losses.items()}, open(f"{out}/losses.json", "w"), indent=1)


def masked_phase1_losses(ref, pred, target, labels):
    """Phase 1 losses with padding: the guide's masked l1_loss semantics (padded frames
    contribute zero, means over the whole batch); pred and target are zeroed on padded
    frames before the STFT. This is what the Swift trainer computes for padded batches."""
    mask = (labels != ref.PAD).float().unsqueeze(-1)
    return ref.phase1_losses(pred * mask, target * mask, labels)


def padded_training_step(ref, out):
    """One full training step on the padded custom batch: masked losses, every gradient,
    clip_grad_norm_(1.0) and one AdamW(lr=1e-3) step; writes the losses, the gradients and
    the updated parameters."""
    from safetensors.torch import load_file
    cfg = dict(encoder_dim=32, n_encoder_layers=1, n_decoder_layers=2, n_heads=2)
    m = ref.ReconstructionModel(**cfg).eval()
    m.load_state_dict(load_file(f"{out}/reconstruction.safetensors"))
    mel = torch.from_numpy(np.load(f"{out}/mel.npy")); target = torch.from_numpy(np.load(f"{out}/target.npy"))
    labels = torch.from_numpy(np.load(f"{out}/labels.npy"))
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
    losses = masked_phase1_losses(ref, m(mel, labels), target, labels)
    losses["total"].backward()
    grads = {k: v.grad.numpy().copy() for k, v in m.named_parameters()}
    norm = float(torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0))
    opt.step()
    np.savez(f"{out}/masked_grads.npz", **grads)
    np.savez(f"{out}/masked_step_params.npz", **{k: v.detach().numpy() for k, v in m.named_parameters()})
    json.dump(dict({k: float(v.detach()) for k, v in losses.items()}, grad_norm=norm),
              open(f"{out}/masked_losses.json", "w"), indent=1)


def alpha_terms(ref, out):
    """The gradient of decoder.alpha from each loss term alone. alpha's gradient of the total
    is a near-cancellation of these (float32 and float64 torch differ by about 2% on it), so
    the parity test bounds its error by the size of the terms."""
    from safetensors.torch import load_file
    import json as _json
    cfg = dict(encoder_dim=32, n_encoder_layers=1, n_decoder_layers=2, n_heads=2) if "custom" in out else \
        {k: v for k, v in ref.PRESETS["tiny"].items() if k not in ("seq", "batch")}
    m = ref.ReconstructionModel(**cfg).eval()
    m.load_state_dict(load_file(f"{out}/reconstruction.safetensors"))
    mel = torch.from_numpy(np.load(f"{out}/mel.npy")); target = torch.from_numpy(np.load(f"{out}/target.npy"))
    labels = torch.from_numpy(np.load(f"{out}/labels.npy"))
    pred = m(mel, labels)
    losses = ref.phase1_losses(pred, target, labels)
    weights = dict(l1=1.0, mse=0.0, stft=1.0, consistency=0.5)
    terms = {}
    for k, w in weights.items():
        g, = torch.autograd.grad(losses[k], m.decoder.alpha, retain_graph=True)
        terms[k] = w * float(g)
    _json.dump(terms, open(f"{out}/alpha_grad_terms.json", "w"), indent=1)


def optimizer_fixture(out, seed=3):
    """AdamW (weight decay 0.01), warmup-then-cosine learning rates and clip_grad_norm_ over
    five steps on two parameters with given gradients."""
    import math
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(5, 3, generator=g).requires_grad_()
    b = torch.randn(4, generator=g).requires_grad_()
    init = dict(w=w.detach().clone().numpy(), b=b.detach().clone().numpy())
    opt = torch.optim.AdamW([w, b], lr=0.1, weight_decay=0.01)
    warmup, total = 2, 6
    def factor(step):
        if step < warmup:
            return step / max(1, warmup)
        return max(0.0, 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup))))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    rec = {}
    for step in range(5):
        gw = torch.randn(5, 3, generator=g) * (step + 1)
        gb = torch.randn(4, generator=g) * (step + 1)
        w.grad, b.grad = gw.clone(), gb.clone()
        rec[f"grad_w_{step}"], rec[f"grad_b_{step}"] = gw.numpy(), gb.numpy()
        rec[f"lr_{step}"] = np.array(opt.param_groups[0]["lr"], dtype=np.float64)
        rec[f"norm_{step}"] = np.array(float(torch.nn.utils.clip_grad_norm_([w, b], 1.0)), dtype=np.float64)
        opt.step(); sched.step()
        rec[f"w_{step}"], rec[f"b_{step}"] = w.detach().clone().numpy(), b.detach().clone().numpy()
    for k, v in {**init, **rec}.items():
        np.save(f"{out}/{k}.npy", v)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--reference", default=os.path.join(here, "..", "..", "shared", "reference"))
    ap.add_argument("--out", default=os.path.join(here, "..", "Fixtures", "model"))
    a = ap.parse_args()
    sys.path.insert(0, a.reference)
    import super_editor_ref as ref
    torch.set_num_threads(1)
    ref.fixture("tiny", 0, os.path.join(a.out, "tiny-seed0"))
    custom_fixture(ref, os.path.join(a.out, "custom-seed1"))
    for name in ("tiny-seed0", "custom-seed1"):
        alpha_terms(ref, os.path.join(a.out, name))
    optimizer_fixture(os.path.join(a.out, "optim"))
    padded_training_step(ref, os.path.join(a.out, "custom-seed1"))
    print("wrote", a.out)

# Fixtures/model/swift-trained is the other direction: `reconstruction.safetensors` is a Swift
# run's last.safetensors (30 steps of `super-editor train reconstruction` with d=32, one encoder
# and one decoder layer), and torch_out.npy is the reference's output for it on
# torch.manual_seed(5): mel = rand(2, 40, 128), labels = randint(0, 7, (2, 40)) with
# labels[1, 30:] = PAD. tools/check_swift_checkpoint.py checks any Swift checkpoint this way.
