"""Offline front-end assets for the SolaraViz page.

Solara loads its front end (Vue/Vuetify bundles, require.js, font-awesome, vega) from a
public CDN through its own proxy at ``/_solara/cdn/<name@version>/<file>``.  The proxy
serves a local cache first: ``SOLARA_ASSETS_PROXY_CACHE_DIR`` (default
``<sys.prefix>/share/solara/cdn``).  With no internet the page stays blank unless
that cache is filled, so this module fills it from the npm registry:
``npm pack <name@version>`` for each package Solara asks for, unpacked into
``<cache>/<name@version>/`` (the tarball's ``package/`` prefix stripped).

    python -m experiments.viz_assets [CACHE_DIR]

Packages already unpacked are skipped, so a second run is instant.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# What solara 1.64 requests (checked against its source: server/templates/solara.html.j2,
# widgets/vue/gridlayout.vue, widgets/vue/vegalite.vue, server/settings.py fontawesome_path).
# The spec is also the directory name Solara looks in, e.g. "vega@5/build/vega.min.js".
PACKAGES = [
    "@widgetti/solara-vuetify-app@10.1.1",
    "@widgetti/solara-vuetify3-app@5.2.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
]

# Solara files whose CDN references a Mesa page needs (the template, the grid layout, vega-lite).
_SCANNED = [
    "server/templates/solara.html.j2",
    "widgets/vue/gridlayout.vue",
    "widgets/vue/vegalite.vue",
]
_CDN_REF = re.compile(r"(?:\{\{ ?cdn ?\}\}|getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+@[\w.+-]+)/")


class AssetsError(RuntimeError):
    """The assets could not be fetched (npm missing, registry unreachable, ...)."""


def default_cache_dir() -> Path:
    """Where the Solara server of this interpreter looks (same rule as solara.server.settings)."""
    env = os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR")
    if env:
        return Path(env)
    import importlib.util
    import site

    userbase = site.getuserbase()
    spec = importlib.util.find_spec("solara")
    origin = (spec.origin or "") if spec else ""
    prefix = userbase if userbase and origin.startswith(userbase) else sys.prefix
    return Path(prefix) / "share" / "solara" / "cdn"


def requested_packages() -> list[str]:
    """The static list, plus any other pinned package the installed solara's sources request."""
    specs = list(PACKAGES)
    try:
        import importlib.util

        spec = importlib.util.find_spec("solara")
        root = Path(spec.origin).parent if spec and spec.origin else None
    except Exception:
        root = None
    if root is not None:
        for rel in _SCANNED:
            f = root / rel
            if f.exists():
                for name in _CDN_REF.findall(f.read_text(errors="replace")):
                    if "$" not in name and name not in specs:
                        specs.append(name)
        settings = root / "server" / "settings.py"
        if settings.exists():
            m = re.search(r'fontawesome_path: str = "/([\w.-]+@[\w.-]+)/', settings.read_text())
            if m and m.group(1) not in specs:
                specs.append(m.group(1))
    return specs


def _present(cache: Path, spec: str) -> bool:
    return (cache / spec / "package.json").is_file()


def _unpack(tgz: Path, dest: Path) -> None:
    """Unpack an npm tarball into dest, dropping its single top-level folder (usually package/)."""
    tmp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=dest.parent))
    try:
        with tarfile.open(tgz) as tar:
            tar.extractall(tmp, filter="data")
        tops = [p for p in tmp.iterdir()]
        src = tops[0] if len(tops) == 1 and tops[0].is_dir() else tmp
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(src, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ensure_assets(cache_dir: str | Path | None = None, packages: list[str] | None = None,
                  quiet: bool = False) -> Path:
    """Make sure every package Solara requests is unpacked in the cache; return the cache dir.

    Raises AssetsError if something is missing and npm cannot fetch it.
    """
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    wanted = packages if packages is not None else requested_packages()
    missing = [s for s in wanted if not _present(cache, s)]
    if not missing:
        return cache
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError(
            "npm is not installed, so Solara's front-end packages cannot be fetched "
            f"({', '.join(missing)}); without them the page stays blank offline. "
            "Install it (e.g. `apt-get install -y npm`) and run `make assets`."
        )
    with tempfile.TemporaryDirectory(prefix="solara-assets-") as work:
        for spec in missing:
            if not quiet:
                print(f"viz_assets: npm pack {spec}", flush=True)
            proc = subprocess.run(
                [npm, "pack", spec, "--json", "--silent", "--pack-destination", work],
                capture_output=True, text=True, cwd=work,
            )
            if proc.returncode != 0:
                raise AssetsError(f"`npm pack {spec}` failed:\n{proc.stderr.strip()[-2000:]}")
            try:
                filename = json.loads(proc.stdout)[0]["filename"]
            except (ValueError, LookupError, TypeError):
                filename = proc.stdout.strip().splitlines()[-1]
            # npm names scoped tarballs "widgetti-solara-vuetify-app-10.1.1.tgz"
            tgz = Path(work) / filename.replace("@", "").replace("/", "-")
            if not tgz.exists():
                tgz = Path(work) / filename
            dest = cache / spec
            dest.parent.mkdir(parents=True, exist_ok=True)
            _unpack(tgz, dest)
    still = [s for s in wanted if not _present(cache, s)]
    if still:
        raise AssetsError(f"still missing after npm pack: {', '.join(still)}")
    if not quiet:
        print(f"viz_assets: {len(missing)} package(s) unpacked into {cache}", flush=True)
    return cache


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cache_dir = argv[0] if argv else None
    try:
        cache = ensure_assets(cache_dir)
    except AssetsError as e:
        print(f"viz_assets: {e}", file=sys.stderr)
        return 1
    print(f"viz_assets: Solara assets ready in {cache}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
