"""Collect the licenses of everything the one-folder app bundles into APP/licenses/.

Run with the build venv's Python (the one PyInstaller ran in), so that the installed
distributions are the bundled ones:

    build/app/venv/bin/python packaging/collect_licenses.py dist/accel-explorer-VERSION-linux-x86_64

Writes one folder per component with its license files as shipped (Python packages:
the license files of their .dist-info; the Python interpreter: its LICENSE.txt; shared
libraries PyInstaller copied from the system: the Debian copyright file of the package
that owns them) and `licenses/THIRD-PARTY.md`, a table of component, version, license.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LICENSE_NAME = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS|COPYRIGHT|ThirdPartyNotices)",
                          re.IGNORECASE)
# Wheels that ship no license file (PySide6, shiboken6, ...): the standard text of the
# license their metadata names, from Debian's /usr/share/common-licenses.
COMMON_LICENSES = Path("/usr/share/common-licenses")
STANDARD_TEXTS = {"LGPL-3.0": ["LGPL-3", "GPL-3"], "GPL-3.0": ["GPL-3"], "GPL-2.0": ["GPL-2"],
                  "Apache": ["Apache-2.0"], "MPL-2.0": ["MPL-2.0"], "BSD": ["BSD"]}


def runtime_closure(root: str = "accel-explorer") -> list[metadata.Distribution]:
    """`root` and every distribution it needs at run time (no extras), plus PyInstaller,
    whose bootloader is the app's executable."""
    seen: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency that is not installed is not bundled
        seen[name] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    with contextlib.suppress(metadata.PackageNotFoundError):  # its bootloader, not its deps
        seen["pyinstaller"] = metadata.distribution("pyinstaller")
    return sorted(seen.values(), key=lambda d: canonicalize_name(d.metadata["Name"]))


def license_of(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    if meta.get("License-Expression"):
        return meta["License-Expression"]
    text = (meta.get("License") or "").strip()
    if text and len(text) < 80 and "\n" not in text:
        return text
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    return ", ".join(classifiers) or "see the license files"


def copy_dist_licenses(dist: metadata.Distribution, target: Path) -> int:
    copied = 0
    for file in dist.files or []:
        parts = file.parts
        in_dist_info = parts[0].endswith(".dist-info")
        wanted = (in_dist_info and (LICENSE_NAME.search(file.name) or "licenses" in parts)
                  # or beside the package's top-level module (onnxruntime/LICENSE)
                  or (len(parts) == 2 and LICENSE_NAME.search(file.name)
                      and not file.name.endswith(".py")))
        if not wanted:
            continue
        source = Path(dist.locate_file(file))
        if source.is_file():
            dest = target / Path(*parts[1:])
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            copied += 1
    return copied


def copy_standard_text(dist: metadata.Distribution, target: Path) -> int:
    named = license_of(dist)
    for key, texts in STANDARD_TEXTS.items():
        if key.lower() in named.lower():
            sources = [COMMON_LICENSES / t for t in texts if (COMMON_LICENSES / t).is_file()]
            if not sources:
                return 0
            target.mkdir(parents=True, exist_ok=True)
            for source in sources:
                shutil.copyfile(source, target / source.name)
            (target / "README").write_text(
                f"{dist.metadata['Name']} {dist.version} ships no license file; its metadata "
                f"names: {named}. These are the standard texts of that license.\n")
            return len(sources)
    return 0


def system_libraries(app: Path) -> dict[str, str]:
    """Bundled shared libraries that no wheel ships: {file name: Debian package}."""
    internal = app / "_internal"
    names = sorted(p.name for p in internal.glob("*.so*") if p.is_file()
                   and not p.name.startswith(("libpython",)))
    owners: dict[str, str] = {}
    if not names or shutil.which("dpkg") is None:
        return owners
    done = subprocess.run(["dpkg", "-S", *[f"*/{n}" for n in names]], capture_output=True,
                          text=True, check=False)
    for line in done.stdout.splitlines():
        package, _, path = line.partition(": ")
        name = Path(path.strip()).name
        if name in names and name not in owners:
            owners[name] = package.split(":")[0]
    return owners


def main(app_dir: str) -> int:
    app = Path(app_dir)
    out = app / "licenses"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    rows = []
    missing = []
    for dist in runtime_closure():
        name, version = dist.metadata["Name"], dist.version
        if canonicalize_name(name) == "accel-explorer":
            continue  # the app's own LICENSE and NOTICE lie at the top of the folder
        folder = out / f"{canonicalize_name(name)}-{version}"
        if copy_dist_licenses(dist, folder) == 0 and copy_standard_text(dist, folder) == 0:
            missing.append(name)
        rows.append((name, version, license_of(dist), folder.name))

    python = Path(sysconfig.get_path("stdlib")) / "LICENSE.txt"
    if python.is_file():
        folder = out / f"python-{sys.version.split()[0]}"
        folder.mkdir()
        shutil.copyfile(python, folder / "LICENSE.txt")
        rows.append(("Python", sys.version.split()[0], "PSF-2.0", folder.name))
    else:
        missing.append("Python")

    debian = system_libraries(app)
    for package in sorted(set(debian.values())):
        copyright_file = Path("/usr/share/doc") / package / "copyright"
        if copyright_file.is_file():
            folder = out / "debian" / package
            folder.mkdir(parents=True)
            shutil.copyfile(copyright_file, folder / "copyright")
            libs = ", ".join(sorted(n for n, p in debian.items() if p == package))
            rows.append((f"{package} (Debian; {libs})", "", "see copyright",
                         f"debian/{package}"))

    lines = ["# Third-party components bundled in this app", "",
             "Each folder here holds the license files of one component as it was "
             "shipped. accel-explorer itself: ../LICENSE (Apache-2.0) and ../NOTICE.", "",
             "Qt (through PySide6) is used under the LGPL-3.0: its libraries are separate "
             "files in `_internal/PySide6/Qt/lib/` and can be replaced by compatible "
             "builds.", "",
             "| Component | Version | License | Files |", "|---|---|---|---|"]
    lines += [f"| {n} | {v} | {lic} | [{f}]({f}/) |" for n, v, lic, f in rows]
    (out / "THIRD-PARTY.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"collect_licenses: {len(rows)} components in {out}"
          + (f"; no license file found for: {', '.join(missing)}" if missing else ""),
          file=sys.stderr)
    return 1 if "Python" in missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
