"""A PEP 517 build backend for the ``cloudburst`` package, standard library only.

It exists so that ``pip install ./examples-python`` works with no package index: pip's build
isolation installs a backend's requirements first, and this one has none (setuptools would
have to come from PyPI). It builds a pure-Python wheel of the ``cloudburst`` package (the
tests, examples and original/ programs stay out) and an sdist of the folder's sources.
"""
import base64
import hashlib
import io
import os
import tarfile
import time
import zipfile

NAME = "cloudburst-client"
VERSION = "0.1.0"
SUMMARY = "A client of a Cloudburst node (HTTP, standard library only), compatible with the original Cloudburst's client"
REQUIRES_PYTHON = ">=3.8"
PACKAGE = "cloudburst"
# Console scripts: name -> module:function.
SCRIPTS = {"cloudburst-cli": "cloudburst.cli:main"}

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_DIST = NAME.replace("-", "_")
_SDIST_FILES = ("pyproject.toml", "build_backend")


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def _metadata():
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\nRequires-Python: %s\n"
            % (NAME, VERSION, SUMMARY, REQUIRES_PYTHON))


def _package_files():
    """(archive path, file path) of every .py file of the package, in a stable order."""
    out = []
    for folder, dirs, files in os.walk(os.path.join(_ROOT, PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                out.append((os.path.relpath(path, _ROOT).replace(os.sep, "/"), path))
    return out


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return "%s,sha256=%s,%d" % (arcname, digest, len(data))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    filename = "%s-%s-py3-none-any.whl" % (_DIST, VERSION)
    info = "%s-%s.dist-info" % (_DIST, VERSION)
    entries = []
    for arcname, path in _package_files():
        with open(path, "rb") as f:
            entries.append((arcname, f.read()))
    entries.append((info + "/METADATA", _metadata().encode()))
    entries.append((info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: cloudburst_build\nRoot-Is-Purelib: true\n"
                                     b"Tag: py3-none-any\n"))
    if SCRIPTS:
        lines = "".join("%s = %s\n" % kv for kv in sorted(SCRIPTS.items()))
        entries.append((info + "/entry_points.txt", ("[console_scripts]\n" + lines).encode()))
    entries.append((info + "/top_level.txt", (PACKAGE + "\n").encode()))
    record = "".join(_record_line(a, d) + "\n" for a, d in entries) + info + "/RECORD,,\n"
    entries.append((info + "/RECORD", record.encode()))
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as whl:
        for arcname, data in entries:
            whl.writestr(zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return filename


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (_DIST, VERSION)
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tar:
        pkg_info = _metadata().encode()
        member = tarfile.TarInfo(base + "/PKG-INFO")
        member.size, member.mtime = len(pkg_info), int(time.time())
        tar.addfile(member, io.BytesIO(pkg_info))
        for name in _SDIST_FILES + (PACKAGE,):
            tar.add(os.path.join(_ROOT, name), base + "/" + name,
                    filter=lambda m: None if "__pycache__" in m.name or m.name.endswith(".pyc") else m)
    return filename
