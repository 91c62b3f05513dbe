"""Ecosystem detection on fake roots and environments."""

from __future__ import annotations

from pathlib import Path

import pytest

from extdeps.model.errors import UndecidedError
from extdeps.system.detect import detect, parse_os_release

SHIPPED = {
    "alpine",
    "arch",
    "conda-forge",
    "debian",
    "debian+12",
    "debian+13",
    "fedora",
    "homebrew",
    "nix",
    "rhel+8",
    "rhel+9",
    "spack",
    "ubuntu",
    "ubuntu+22.04",
    "ubuntu+24.04",
}

OS_RELEASES = {
    "debian12": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
    'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
    "debian13": 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nVERSION_ID="13"\nID=debian\n',
    "debian-sid": 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nID=debian\n',
    "ubuntu2204": 'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n'
    "UBUNTU_CODENAME=jammy\n",
    "ubuntu2404": 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n'
    "UBUNTU_CODENAME=noble\n",
    "mint21": 'NAME="Linux Mint"\nVERSION_ID="21.3"\nID=linuxmint\nID_LIKE="ubuntu debian"\n'
    "UBUNTU_CODENAME=jammy\n",
    "fedora40": 'NAME="Fedora Linux"\nVERSION_ID=40\nID=fedora\n',
    "rocky9": 'NAME="Rocky Linux"\nVERSION_ID="9.4"\nID="rocky"\nID_LIKE="rhel centos fedora"\n',
    "alma9": 'NAME="AlmaLinux"\nVERSION_ID="9.4"\nID="almalinux"\nID_LIKE="rhel centos fedora"\n',
    "alma8": 'NAME="AlmaLinux"\nVERSION_ID="8.10"\nID="almalinux"\nID_LIKE="rhel centos fedora"\n',
    "rhel9": 'NAME="Red Hat Enterprise Linux"\nVERSION_ID="9.4"\nID="rhel"\nID_LIKE="fedora"\n',
    "centos-stream9": 'NAME="CentOS Stream"\nVERSION_ID="9"\nID="centos"\nID_LIKE="rhel fedora"\n',
    "rhel10": 'NAME="Red Hat Enterprise Linux"\nVERSION_ID="10.0"\nID="rhel"\nID_LIKE="centos fedora"\n',
    "arch": 'NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n',
    "alpine": 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n',
    "raspbian": 'NAME="Raspbian GNU/Linux"\nVERSION_ID="12"\nID=raspbian\nID_LIKE=debian\n',
    "nixos": 'NAME=NixOS\nID=nixos\nVERSION_ID="24.05"\n',
    "gentoo": "NAME=Gentoo\nID=gentoo\n",
}


def _root(tmp_path: Path, name: str, where: str = "etc/os-release") -> str:
    target = tmp_path / where
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(OS_RELEASES[name])
    return str(tmp_path)


@pytest.mark.parametrize(
    ("name", "ecosystem"),
    [
        ("debian12", "debian+12"),
        ("debian13", "debian+13"),
        ("debian-sid", "debian"),
        ("ubuntu2204", "ubuntu+22.04"),
        ("ubuntu2404", "ubuntu+24.04"),
        ("mint21", "ubuntu+22.04"),
        ("fedora40", "fedora"),
        ("rocky9", "rhel+9"),
        ("alma9", "rhel+9"),
        ("alma8", "rhel+8"),
        ("rhel9", "rhel+9"),
        ("centos-stream9", "rhel+9"),
        ("rhel10", "fedora"),  # no rhel+10 mapping yet: Fedora's names, as before
        ("arch", "arch"),
        ("alpine", "alpine"),
        ("raspbian", "debian+12"),
        ("nixos", "nix"),
    ],
)
def test_linux_distributions(tmp_path: Path, name: str, ecosystem: str) -> None:
    found = detect(
        available=SHIPPED.__contains__, root=_root(tmp_path, name), environ={}, platform="linux"
    )
    assert found.mapping == ecosystem
    assert found.evidence


def test_usr_lib_os_release(tmp_path: Path) -> None:
    root = _root(tmp_path, "arch", "usr/lib/os-release")
    found = detect(available=SHIPPED.__contains__, root=root, environ={}, platform="linux")
    assert found.mapping == "arch"
    assert found.evidence == ("/usr/lib/os-release: ID=arch",)


def test_unknown_distribution(tmp_path: Path) -> None:
    with pytest.raises(UndecidedError, match="tried gentoo") as info:
        detect(
            available=SHIPPED.__contains__,
            root=_root(tmp_path, "gentoo"),
            environ={},
            platform="linux",
        )
    assert info.value.exit_code == 3
    assert info.value.hint == "choose one with --ecosystem or EXTDEPS_ECOSYSTEM"


def test_no_os_release(tmp_path: Path) -> None:
    with pytest.raises(UndecidedError, match="no os-release"):
        detect(available=SHIPPED.__contains__, root=str(tmp_path), environ={}, platform="linux")


def test_conda_environment(tmp_path: Path) -> None:
    env = {"CONDA_PREFIX": "/opt/conda/envs/x"}
    found = detect(available=SHIPPED.__contains__, root=_root(tmp_path, "debian12"), environ=env)
    assert (found.mapping, found.package_manager) == ("conda-forge", "conda")
    env["MAMBA_ROOT_PREFIX"] = "/opt/mamba"
    assert detect(available=SHIPPED.__contains__, environ=env).package_manager == "mamba"


def test_pixi_environment() -> None:
    env = {
        "PIXI_PROJECT_ROOT": "/src/p",
        "PIXI_ENVIRONMENT_NAME": "default",
        "CONDA_PREFIX": "/src/p/.pixi/envs/default",
    }
    found = detect(available=SHIPPED.__contains__, environ=env)
    assert (found.mapping, found.package_manager) == ("conda-forge", "pixi")


def test_spack_environment(tmp_path: Path) -> None:
    spack_env = str(tmp_path / "envs" / "demo")
    env = {"SPACK_ENV": spack_env, "SPACK_ROOT": str(tmp_path / "spack")}
    found = detect(available=SHIPPED.__contains__, root=_root(tmp_path, "debian12"), environ=env)
    assert (found.mapping, found.package_manager) == ("spack", "spack")
    assert found.evidence == (f"SPACK_ENV={spack_env} (active Spack environment)",)
    # an active conda environment comes first; Spack merely installed is no signal
    with_conda = {**env, "CONDA_PREFIX": str(tmp_path / "conda")}
    assert detect(available=SHIPPED.__contains__, environ=with_conda).mapping == "conda-forge"
    plain = {"SPACK_ROOT": env["SPACK_ROOT"]}
    found = detect(available=SHIPPED.__contains__, root=_root(tmp_path, "debian12"), environ=plain)
    assert found.mapping != "spack"


def test_macos() -> None:
    found = detect(
        available=SHIPPED.__contains__, environ={}, platform="darwin", root="/nonexistent"
    )
    assert found.mapping == "homebrew"


def test_nix_shell(tmp_path: Path) -> None:
    found = detect(
        available=SHIPPED.__contains__,
        root=_root(tmp_path, "ubuntu2404"),
        environ={"IN_NIX_SHELL": "impure"},
    )
    assert found.mapping == "nix"


@pytest.mark.parametrize(
    ("kwargs", "env", "expected"),
    [
        ({"ecosystem": "fedora"}, {}, "fedora"),
        ({}, {"EXTDEPS_ECOSYSTEM": "arch"}, "arch"),
        ({"ecosystem": "debian+99"}, {}, "debian"),
        ({"ecosystem": "alpine"}, {"EXTDEPS_ECOSYSTEM": "arch", "CONDA_PREFIX": "/x"}, "alpine"),
    ],
)
def test_overrides(kwargs: dict[str, str], env: dict[str, str], expected: str) -> None:
    found = detect(available=SHIPPED.__contains__, environ=env, **kwargs)
    assert found.mapping == expected


def test_override_unknown() -> None:
    with pytest.raises(UndecidedError, match="tried windows"):
        detect(available=SHIPPED.__contains__, ecosystem="windows", environ={})


def test_package_manager_override() -> None:
    found = detect(
        available=SHIPPED.__contains__, ecosystem="debian", package_manager="apt-get", environ={}
    )
    assert found.package_manager == "apt-get"
    found = detect(
        available=SHIPPED.__contains__,
        ecosystem="debian",
        environ={"EXTDEPS_PACKAGE_MANAGER": "apt"},
    )
    assert found.package_manager == "apt"


def test_parse_os_release_quoting() -> None:
    parsed = parse_os_release('# comment\nA="x \\"y\\""\nB=\'z\'\nC=plain\n\nbroken line\n')
    assert parsed == {"A": 'x "y"', "B": "z", "C": "plain"}
