"""pyproject.toml ships every data file digest reads (gettext catalogues, templates) as package
data of a listed package, so a wheel works and setuptools never warns that a folder is "absent
from the `packages` configuration" (the ~50 lines `make demo` printed); `make demo` installs only
the runtime dependencies, `make test` the test extras too."""
from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

from .conftest import REPO

CONF = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def package_folder(name: str) -> Path:
    """The folder of package `name` under the package-dir mapping (longest prefix wins)."""
    mapping = CONF.get("package-dir", {})
    for prefix in sorted(mapping, key=len, reverse=True):
        if name == prefix or name.startswith(prefix + "."):
            rest = name[len(prefix):].lstrip(".")
            return REPO / mapping[prefix] / Path(*rest.split(".")) if rest else REPO / mapping[prefix]
    return REPO / Path(*name.split("."))


def test_every_shipped_data_file_belongs_to_a_listed_package():
    packages = set(CONF["packages"])
    data = CONF["package-data"]
    assert set(data) <= packages, set(data) - packages
    shipped = {}
    for pkg in packages:
        folder = package_folder(pkg)
        assert folder.is_dir(), (pkg, folder)
        for f in folder.iterdir():
            if f.is_file() and any(fnmatch.fnmatch(f.name, g) for g in data.get(pkg, [])):
                shipped[f.resolve()] = pkg  # digest/templates is a link to templates/
    wanted = [f for f in (REPO / "templates").rglob("*") if f.is_file()]
    wanted += [f for f in (REPO / "digest" / "translations").rglob("*") if f.is_file()]
    missing = [str(f.relative_to(REPO)) for f in wanted if f.resolve() not in shipped]
    assert not missing, f"data files no package ships: {missing}"
    # a folder under digest/ holding shipped files but missing from `packages` is what setuptools warns of
    for f in shipped:
        assert shipped[f] in packages


def test_every_code_package_is_listed():
    listed = set(CONF["packages"])
    for init in (REPO / "digest").rglob("__init__.py"):
        name = ".".join(init.parent.relative_to(REPO).parts)
        assert name in listed, name


def test_templates_are_found_through_the_package():
    import digest

    assert digest.templates_dir().resolve() == (REPO / "templates").resolve()
    assert (digest.templates_dir() / "base.html").is_file() and (digest.templates_dir() / "preview").is_dir()
    # only the flat layout itself: any remapped package makes the editable install a finder hook
    # that prints an "Editable installation" notice
    assert CONF.get("package-dir") == {"": "."}


def test_make_demo_installs_only_the_runtime_dependencies():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    demo = re.search(r"^demo: (.*)$", makefile, re.M).group(1).split()
    assert "install" not in demo and "install-runtime" in demo
    runtime = re.search(r"^\$\(RUNTIME_STAMP\):.*?(?=^\S)", makefile, re.M | re.S).group(0)
    assert "-e ." in runtime and "[test]" not in runtime
    assert re.search(r"^test: install\b", makefile, re.M)
