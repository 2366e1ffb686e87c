"""The one distribution's metadata: every package in the wheel, one version, extras only add drivers."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

import jointinspect
from jointinspect import ValidationError, _version, open_store

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_adapter_package_ships_in_the_wheel() -> None:
    packages = set(PROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    on_disk = {str(p.parent.relative_to(ROOT)) for p in ROOT.glob("adapters/*/src/*/__init__.py")}
    assert on_disk  # the adapters exist where the glob looks
    assert packages == {"src/jointinspect"} | on_disk
    for package in packages:
        assert (ROOT / package / "py.typed").is_file(), package


def test_adapters_have_no_distribution_of_their_own() -> None:
    assert not list(ROOT.glob("adapters/*/pyproject.toml"))


def test_one_version_source() -> None:
    assert "version" in PROJECT["project"]["dynamic"]
    assert "version" not in PROJECT["project"]
    assert PROJECT["tool"]["hatch"]["version"]["path"] == "src/jointinspect/_version.py"
    assert jointinspect.__version__ == _version.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+([abc]|rc)?\d*", jointinspect.__version__)


def test_extras_name_third_party_packages_or_other_extras_only() -> None:
    extras = PROJECT["project"]["optional-dependencies"]
    assert {"sql", "postgresql", "mysql", "redis", "fast", "testing", "bench", "dev"} <= set(extras)
    for name, requirements in extras.items():
        for requirement in requirements:
            dist = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()
            if dist == "jointinspect":
                inner = re.search(r"\[(.*)\]", requirement)
                assert inner is not None and set(inner.group(1).split(",")) <= set(extras), requirement
            else:
                assert not dist.startswith("jointinspect"), f"extra {name} names {requirement}"


def test_dev_includes_every_driver_extra() -> None:
    dev = " ".join(PROJECT["project"]["optional-dependencies"]["dev"])
    for extra in ("postgresql", "mysql", "redis", "fast", "testing"):
        assert extra in dev


def test_migration_script_is_a_console_script_of_the_distribution() -> None:
    assert PROJECT["project"]["scripts"]["jointinspect-sql"] == "jointinspect_sqlalchemy.migrate:main"


@pytest.mark.parametrize(
    ("url", "extra"),
    [("postgresql+psycopg2://u@127.0.0.1:1/x", "postgresql"), ("mysql+mysqldb://u@127.0.0.1:1/x", "mysql")],
)
def test_a_missing_driver_names_the_extra(url: str, extra: str) -> None:
    # Real missing drivers: the extras install psycopg 3 and PyMySQL, never these two.
    pytest.importorskip("sqlalchemy")
    driver = url.split("+", 1)[1].split(":", 1)[0]
    assert importlib.util.find_spec({"psycopg2": "psycopg2", "mysqldb": "MySQLdb"}[driver]) is None
    with pytest.raises(ValidationError, match=re.escape(f"pip install 'jointinspect[{extra}]'")):
        open_store(url)
