# SPDX-License-Identifier: GPL-3.0-or-later
"""Render the docker role's templates with Ansible's own templating, as the role does.

Docker's apt repository cannot be reached from the test machines, so the docker_ce path is
checked here: its deb822 source and package list, and daemon.json for several inputs.
"""
import json
import pathlib

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

ROLE = pathlib.Path(__file__).resolve().parents[3] / "roles" / "docker"

FACTS = {
    "debian12": {"distribution": "Debian", "distribution_release": "bookworm", "architecture": "x86_64"},
    "debian13-arm": {"distribution": "Debian", "distribution_release": "trixie", "architecture": "aarch64"},
    "ubuntu2404": {"distribution": "Ubuntu", "distribution_release": "noble", "architecture": "x86_64"},
}


def _trusted(value):
    # Role files are trusted templates, as Ansible treats them when it loads a role.
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, list):
        return [_trusted(v) for v in value]
    if isinstance(value, dict):
        return {k: _trusted(v) for k, v in value.items()}
    return value


def role_vars(**overrides):
    data = {}
    for name in ("defaults/main.yml", "vars/main.yml"):
        data.update(_trusted(yaml.safe_load((ROLE / name).read_text())))
    data.update(overrides)
    return data


def render(template, facts="debian12", **overrides):
    variables = role_vars(ansible_facts=FACTS[facts], **overrides)
    templar = Templar(loader=DataLoader(), variables=variables)
    return templar.template(trust_as_template((ROLE / "templates" / template).read_text()))


def deb822(text):
    return dict(
        line.split(": ", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


@pytest.mark.parametrize(
    "facts, uri, suite, arch",
    [
        ("debian12", "https://download.docker.com/linux/debian", "bookworm", "amd64"),
        ("debian13-arm", "https://download.docker.com/linux/debian", "trixie", "arm64"),
        ("ubuntu2404", "https://download.docker.com/linux/ubuntu", "noble", "amd64"),
    ],
)
def test_docker_ce_source(facts, uri, suite, arch):
    src = deb822(render("docker.sources.j2", facts))
    assert src == {
        "Types": "deb",
        "URIs": uri,
        "Suites": suite,
        "Components": "stable",
        "Architectures": arch,
        "Signed-By": "/etc/apt/keyrings/docker.asc",
    }


def test_docker_ce_source_mirror_and_channel():
    src = deb822(render("docker.sources.j2", docker_ce_repo_url="https://mirror.example/docker", docker_ce_channel="test"))
    assert src["URIs"] == "https://mirror.example/docker/debian"
    assert src["Components"] == "test"


def test_docker_ce_key_url_follows_repo():
    variables = role_vars(ansible_facts=FACTS["ubuntu2404"], docker_ce_repo_url="https://m.example/d")
    templar = Templar(loader=DataLoader(), variables=variables)
    assert templar.template(trust_as_template("{{ docker_ce_key_url }}")) == "https://m.example/d/ubuntu/gpg"


def test_docker_ce_packages_include_engine_and_compose_plugin():
    packages = role_vars()["docker_ce_packages"]
    assert {"docker-ce", "docker-ce-cli", "containerd.io", "docker-compose-plugin"} <= set(packages)


def test_daemon_json_defaults_rotate_logs():
    cfg = json.loads(render("daemon.json.j2"))
    assert cfg == {
        "log-driver": "json-file",
        "log-opts": {"max-size": "10m", "max-file": "5"},
        "live-restore": True,
    }


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"docker_daemon_log_driver": "local", "docker_daemon_log_max_file": 3},
         {"log-driver": "local", "log-opts": {"max-size": "10m", "max-file": "3"}}),
        ({"docker_daemon_log_driver": "journald"}, {"log-driver": "journald", "log-opts": None}),
        ({"docker_daemon_log_opts": {"compress": "true"}},
         {"log-opts": {"max-size": "10m", "max-file": "5", "compress": "true"}}),
        ({"docker_daemon_default_address_pools": [{"base": "10.210.0.0/16", "size": 24}]},
         {"default-address-pools": [{"base": "10.210.0.0/16", "size": 24}]}),
        ({"docker_daemon_registry_mirrors": ["https://mirror.example"]},
         {"registry-mirrors": ["https://mirror.example"]}),
        ({"docker_daemon_live_restore": False}, {"live-restore": False}),
        ({"docker_daemon_options": {"live-restore": False, "userland-proxy": False}},
         {"live-restore": False, "userland-proxy": False}),
    ],
)
def test_daemon_json_options(overrides, expected):
    cfg = json.loads(render("daemon.json.j2", **overrides))
    for key, value in expected.items():
        if value is None:
            assert key not in cfg
        else:
            assert cfg[key] == value


def test_compose_pin_is_low_priority():
    text = render(
        "compose-release.pref.j2",
        _docker_distro_compose_release="trixie",
        _docker_distro_compose_package="docker-compose",
    )
    assert "Pin: release n=trixie" in text
    assert "Pin-Priority: 100" in text
