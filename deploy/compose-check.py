#!/usr/bin/env python3
"""Static check of the docker compose deployment, without a Docker engine.

    deploy/compose-check.py [--bin DIR] [--root DIR]

Reads docker-compose.yml, deploy/Dockerfile, deploy/.env.example,
deploy/postgres-init/, Package.swift and deploy/dev, asks each built service
executable (DIR, default .build/debug) for the variables it reads
(`--help-config`), and asserts:

- every long-running service has a health check and a restart policy, and
  each Purser service's health check runs its own executable;
- every PURSER_* variable a service sets is one its executable reads, named
  for that service, and every variable it requires is set;
- every command is an executable the Dockerfile builds and copies, declared
  in Package.swift and built; the Dockerfile builds every service `deploy/dev
  up` starts; build targets are stages of the Dockerfile;
- published host ports do not clash, only the public endpoints are
  published, and each published port is one the service listens on;
- endpoints name a compose service on the port it listens on, and that
  service is depended on;
- depends_on names existing services with valid conditions
  (service_healthy only on services with a health check,
  service_completed_successfully only on one-shot jobs), without cycles;
- every ${VARIABLE} the compose file interpolates is documented in
  deploy/.env.example, whose secrets are empty;
- the PostgreSQL init script makes one role per Purser service;
- the CA key never leaves the certificate job: the job makes the CA and every
  key in a volume no other service mounts, and exports to each service's own
  volume only that service's certificate and key and the CA certificate; each
  service mounts its own volume (read-only) and no other service's, and its
  TLS settings point at its own certificate and key.

It then mutates the compose file in memory (drops a health check, adds a
variable no service reads, clashes two ports, …) and asserts that each
mutation is caught, so the check itself is shown able to fail. Finally, when
the `docker-compose` (v1) validator is importable, it runs its `config`
command as well.

Prints one line per failure and `compose check: N passed, M failed`; exits 1
when anything failed.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# Ports reachable from outside the compose network: service -> container ports.
PUBLIC_PORTS = {"identity": {7101}, "wallet": {7102}, "email": {2525}, "gateway": {8443}}
# Ports published on the host's loopback only, for operator tools on that host.
LOOPBACK_PORTS = {"policy": {7103}, "settlement": {7104}, "email": {7105}}
VALID_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
SECRETS = {
    "PURSER_IDENTITY_KEK", "POSTGRES_PASSWORD", "IDENTITY_DB_PASSWORD", "WALLET_DB_PASSWORD",
    "POLICY_DB_PASSWORD", "SETTLEMENT_DB_PASSWORD", "EMAIL_DB_PASSWORD",
}
INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class Report:
    """Counts assertions; remembers the failed ones' messages."""

    passed: int = 0
    failures: list[str] = field(default_factory=list)

    def expect(self, condition: bool, message: str) -> bool:
        if condition:
            self.passed += 1
        else:
            self.failures.append(message)
        return condition


@dataclass
class Project:
    """Everything the check reads from the repository, parsed once."""

    root: Path
    bin_dir: Path
    dockerfile: str
    dockerfile_products: list[str]
    dockerfile_stages: set[str]
    package_executables: set[str]
    dev_up_products: list[str]
    env_example: dict[str, str]
    init_script: str
    help_config: dict[str, dict[str, bool] | None]
    # Each executable's documented defaults (variable -> value), from `--help-config`.
    help_defaults: dict[str, dict[str, str]]
    # `deploy/dev`'s table of services: name -> port.
    dev_ports: dict[str, int]


def interpolate(text: str, env: dict[str, str], referenced: set[str]) -> str:
    """Compose-style ${VAR}, ${VAR:-default}, ${VAR:?message} and $$, with env as the .env file."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        referenced.add(name)
        value = env.get(name, "")
        operator, argument = match.group(2), match.group(3)
        if operator in (":-", "-") and (value == "" if operator == ":-" else name not in env):
            return argument
        return value

    return INTERPOLATION.sub(replace, text)


def interpolate_tree(node, env: dict[str, str], referenced: set[str]):
    if isinstance(node, str):
        return interpolate(node, env, referenced)
    if isinstance(node, list):
        return [interpolate_tree(item, env, referenced) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env, referenced) for key, value in node.items()}
    return node


def parse_env_file(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def parse_help_defaults(output: str) -> dict[str, str]:
    """Variable name -> its default, from `--help-config` output (required variables have none)."""
    defaults = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) > 1 and parts[0].startswith("PURSER_") and parts[1] != "(required)":
            defaults[parts[0]] = parts[1]
    return defaults


def parse_help_config(output: str) -> dict[str, bool]:
    """Variable name -> whether it is required, from `--help-config` output."""
    variables = {}
    for line in output.splitlines():
        parts = line.split()
        if parts and parts[0].startswith("PURSER_"):
            variables[parts[0]] = len(parts) > 1 and parts[1] == "(required)"
    return variables


def environment_of(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in environment)
        return {key: value for key, value in pairs}
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def command_of(service: dict) -> list[str]:
    command = service.get("command") or []
    return command.split() if isinstance(command, str) else [str(part) for part in command]


def health_test_of(service: dict) -> list[str]:
    test = (service.get("healthcheck") or {}).get("test") or []
    return test.split() if isinstance(test, str) else [str(part) for part in test]


def depends_on_of(service: dict) -> dict[str, str]:
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):
        return {name: "service_started" for name in depends}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in depends.items()}


def published_ports(service: dict) -> list[tuple[str, int, int, str]]:
    """(host address, host port, container port, protocol) per published port."""
    result = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            result.append((str(entry.get("host_ip", "")), int(entry.get("published", entry["target"])),
                           int(entry["target"]), str(entry.get("protocol", "tcp"))))
            continue
        text, protocol = (str(entry).split("/", 1) + ["tcp"])[:2]
        parts = text.rsplit(":", 2)
        if len(parts) == 1:
            continue  # container port only: published on a random host port, nothing to clash
        host = parts[0] if len(parts) == 3 else ""
        result.append((host, int(parts[-2]), int(parts[-1]), protocol))
    return result


def endpoint_port(value: str) -> tuple[str, int] | None:
    match = re.fullmatch(r"\[?([^\]]*)\]?:(\d+)", value)
    return (match.group(1), int(match.group(2))) if match else None


def is_one_shot(service: dict) -> bool:
    return str(service.get("restart", "no")) == "no"


def purser_services(compose: dict, project: Project) -> dict[str, dict]:
    """Services built from the runtime stage, i.e. running a Purser executable."""
    return {
        name: service for name, service in (compose.get("services") or {}).items()
        if isinstance(service.get("build"), dict) and service["build"].get("target") == "runtime"
    }


def listen_ports(environment: dict[str, str]) -> set[int]:
    ports = set()
    for key, value in environment.items():
        if key.endswith("LISTEN"):
            parsed = endpoint_port(value)
            if parsed:
                ports.add(parsed[1])
    return ports


def volume_mounts(service: dict) -> list[tuple[str, str, bool]]:
    """(source, container path, read-only) per volume or bind mount of a service."""
    result = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            result.append((str(volume.get("source", "")), str(volume.get("target", "")), bool(volume.get("read_only"))))
            continue
        parts = str(volume).split(":")
        if len(parts) >= 2:
            result.append((parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")))
    return result


@dataclass
class CertificateLayout:
    """What the certificate job writes where: the volume holding the CA key and
    every private key, and the volume each name's certificate and key are
    exported to (with the CA certificate and nothing else)."""

    job: str
    private_volume: str
    exported: dict[str, str]  # name -> volume


def certificate_layout(services: dict, report: Report) -> CertificateLayout | None:
    """Reads the one-shot job that runs `purser-certs [--export DIR] CA_DIR NAME...`
    (deploy/certs.sh): CA_DIR's volume is private to it, DIR/NAME's volume holds NAME's files."""
    for name, service in services.items():
        entrypoint = service.get("entrypoint") or []
        command = " ".join(([entrypoint] if isinstance(entrypoint, str) else [str(part) for part in entrypoint]) + command_of(service))
        match = re.search(r"purser-certs\s+(?:--export\s+(\S+)\s+)?(\S+)", command)
        if not match:
            continue
        export_dir, ca_dir = (match.group(1) or "").rstrip("/"), match.group(2).rstrip("/")
        mounts = {target.rstrip("/"): source for source, target, _ in volume_mounts(service)}
        private = mounts.get(ca_dir)
        report.expect(private is not None, f"service {name}: the CA directory {ca_dir} is not a mounted volume")
        exported = {target[len(export_dir) + 1:]: source for target, source in mounts.items()
                    if export_dir and target.startswith(export_dir + "/") and "/" not in target[len(export_dir) + 1:]}
        return CertificateLayout(job=name, private_volume=private or "", exported=exported)
    report.expect(False, "no certificate job runs `purser-certs [--export DIR] CA_DIR NAME...` (deploy/certs.sh)")
    return None


def check_certificate_mounts(services: dict, purser: dict, report: Report) -> None:
    """The CA key stays in the certificate job; each service holds its own key and the CA certificate only."""
    layout = certificate_layout(services, report)
    if layout is None:
        return
    owner_of = {volume: owner for owner, volume in layout.exported.items()}
    report.expect(layout.private_volume not in owner_of,
                  f"service {layout.job}: exports into the volume holding the CA key ({layout.private_volume})")
    for name, service in services.items():
        if name == layout.job:
            continue
        for source, target, read_only in volume_mounts(service):
            report.expect(source != layout.private_volume,
                          f"service {name}: mounts {source!r} at {target}, which holds the CA key and every service's key")
            owner = owner_of.get(source)
            if owner is not None:
                report.expect(owner == name, f"service {name}: mounts {source!r} at {target}, which holds {owner}'s private key")
                report.expect(read_only, f"service {name}: mounts its certificate volume {source!r} writable")
    for name, service in purser.items():
        own = layout.exported.get(name)
        if not report.expect(own is not None, f"service {name}: the certificate job exports no certificate for it"):
            continue
        environment = environment_of(service)
        prefix = f"PURSER_{name.upper()}_"
        for key, expected in (("TLS_CERT", f"{name}.pem"), ("TLS_KEY", f"{name}.key"), ("TLS_CA", "ca.pem")):
            path = environment.get(prefix + key, "")
            report.expect(Path(path).name == expected and any(
                source == own and path == target.rstrip("/") + "/" + expected for source, target, _ in volume_mounts(service)),
                f"service {name}: {prefix}{key}={path!r} is not {expected} in its own certificate volume {own!r}")


def check_compose(compose: dict, project: Project, report: Report) -> None:
    """Every assertion about one (interpolated) compose document."""
    services = compose.get("services") or {}
    if not report.expect(bool(services), "docker-compose.yml: no services"):
        return
    purser = purser_services(compose, project)
    declared_volumes = set((compose.get("volumes") or {}).keys())
    service_listen = {name: listen_ports(environment_of(service)) for name, service in purser.items()}

    for name, service in services.items():
        where = f"service {name}"
        if not is_one_shot(service):
            report.expect(bool(health_test_of(service)) and health_test_of(service)[0] != "NONE",
                          f"{where}: long-running without a health check")
            report.expect(str(service.get("restart")) in ("always", "unless-stopped", "on-failure"),
                          f"{where}: restart policy {service.get('restart')!r} is not always/unless-stopped/on-failure")
        build = service.get("build")
        if isinstance(build, dict):
            report.expect(build.get("target") in project.dockerfile_stages,
                          f"{where}: build target {build.get('target')!r} is not a stage of deploy/Dockerfile")
            report.expect(build.get("dockerfile") == "deploy/Dockerfile",
                          f"{where}: builds from {build.get('dockerfile')!r}, not deploy/Dockerfile")
        for volume in service.get("volumes") or []:
            source = str(volume).split(":", 1)[0] if not isinstance(volume, dict) else str(volume.get("source"))
            if not source.startswith((".", "/")):
                report.expect(source in declared_volumes, f"{where}: volume {source!r} is not declared")
            else:
                report.expect((project.root / source).exists(), f"{where}: bind mount {source!r} does not exist")

        depends = depends_on_of(service)
        for target, condition in depends.items():
            if not report.expect(target in services, f"{where}: depends on unknown service {target!r}"):
                continue
            report.expect(condition in VALID_CONDITIONS, f"{where}: depends_on {target}: invalid condition {condition!r}")
            if condition == "service_healthy":
                report.expect(bool(health_test_of(services[target])),
                              f"{where}: waits for {target} to be healthy, but {target} has no health check")
            if condition == "service_completed_successfully":
                report.expect(is_one_shot(services[target]),
                              f"{where}: waits for {target} to complete, but {target} restarts (not a one-shot job)")

    check_cycles(services, report)
    check_ports(services, purser, service_listen, report)
    check_certificate_mounts(services, purser, report)
    for name, service in purser.items():
        check_purser_service(name, service, services, service_listen, project, report)


def check_cycles(services: dict, report: Report) -> None:
    state: dict[str, str] = {}
    cycle: list[str] = []

    def visit(name: str, path: list[str]) -> None:
        if cycle or name not in services:
            return
        if state.get(name) == "open":
            cycle.extend(path[path.index(name):] + [name])
            return
        if state.get(name) == "done":
            return
        state[name] = "open"
        for target in depends_on_of(services[name]):
            visit(target, path + [name])
        state[name] = "done"

    for name in services:
        visit(name, [])
    report.expect(not cycle, f"depends_on cycle: {' -> '.join(cycle)}")


def check_ports(services: dict, purser: dict, service_listen: dict[str, set[int]], report: Report) -> None:
    seen: dict[tuple[str, int, str], str] = {}
    for name, service in services.items():
        for host, host_port, container_port, protocol in published_ports(service):
            for address in ({host} if host not in ("", "0.0.0.0") else {""}):
                key = (address, host_port, protocol)
                clash = [other for (other_host, port, proto), other in seen.items()
                         if port == host_port and proto == protocol and (other_host == "" or address == "" or other_host == address)]
                report.expect(not clash, f"service {name}: host port {host_port}/{protocol} also published by {', '.join(clash)}")
                seen[key] = name
            loopback_only = host in ("127.0.0.1", "::1")
            report.expect(container_port in PUBLIC_PORTS.get(name, set())
                          or (loopback_only and container_port in LOOPBACK_PORTS.get(name, set())),
                          f"service {name}: publishes {container_port} on {host or 'every address'}, which is not a public endpoint"
                          + (" (it may be published on 127.0.0.1 only)" if container_port in LOOPBACK_PORTS.get(name, set()) else ""))
            if name in purser:
                report.expect(container_port in service_listen[name],
                              f"service {name}: publishes {container_port}, but listens on {sorted(service_listen[name])}")


def check_purser_service(name: str, service: dict, services: dict, service_listen: dict[str, set[int]],
                         project: Project, report: Report) -> None:
    where = f"service {name}"
    command = command_of(service)
    if not report.expect(bool(command), f"{where}: no command (the image runs every service; the command picks one)"):
        return
    executable = command[0]
    report.expect(executable in project.dockerfile_products,
                  f"{where}: {executable} is not built by deploy/Dockerfile (PRODUCTS)")
    report.expect(executable in project.package_executables, f"{where}: {executable} is not a product of Package.swift")
    variables = project.help_config.get(executable)
    report.expect(variables is not None, f"{where}: {executable} is not built in {project.bin_dir} (no --help-config)")
    test = health_test_of(service)
    own_probe = test[1:] == [executable, "--health-check"]
    cli_probe = test[1:3] == ["purser", "health"] and "--service" in test[:-1] and test[test.index("--service") + 1] == name
    report.expect(own_probe or cli_probe,
                  f"{where}: health check {test} does not probe the service with its own executable")
    prefix = f"PURSER_{name.upper()}_"
    environment = environment_of(service)
    for key in sorted(environment):
        if not key.startswith("PURSER_"):
            continue
        report.expect(key.startswith(prefix), f"{where}: sets {key}, which is not a {prefix}* variable")
        if variables is not None:
            report.expect(key in variables, f"{where}: sets {key}, which {executable} does not read")
    if variables is not None:
        for key, required in sorted(variables.items()):
            if required:
                report.expect(environment.get(key, "") != "", f"{where}: {key} is required but not set")
    report.expect(bool(service_listen[name]), f"{where}: sets no {prefix}LISTEN")
    # GET /metrics is plain HTTP: served on its own port, exposed to the compose network, never published.
    metrics = endpoint_port(environment.get(prefix + "METRICS_LISTEN", ""))
    if report.expect(metrics is not None, f"{where}: sets no {prefix}METRICS_LISTEN (host:port)") and metrics:
        exposed = {int(str(port).split("/")[0]) for port in service.get("expose") or [] if str(port).split("/")[0].isdigit()}
        report.expect(metrics[1] in exposed, f"{where}: does not expose its metrics port {metrics[1]}")
        rpc = endpoint_port(environment.get(prefix + "LISTEN", ""))
        report.expect(rpc is None or rpc[1] != metrics[1], f"{where}: serves metrics on its {prefix}LISTEN port {metrics[1]}")
        report.expect(all(container != metrics[1] for _, _, container, _ in published_ports(service)),
                      f"{where}: publishes its metrics port {metrics[1]} on the host")
    # Ports and endpoints are the executables' defaults (ServiceName, Shared/PurserRPC/ServiceName.swift).
    defaults = project.help_defaults.get(executable, {})
    for key, value in environment.items():
        if not (key.endswith("_LISTEN") or key.endswith("_ENDPOINT")) or key not in defaults:
            continue
        ours, theirs = endpoint_port(value), endpoint_port(defaults[key])
        if ours and theirs:
            report.expect(ours[1] == theirs[1],
                          f"{where}: {key}={value} is not on port {theirs[1]}, {executable}'s default ({defaults[key]})")
    depends = depends_on_of(service)
    for key, value in environment.items():
        targets = []
        if key.endswith("_ENDPOINT"):
            targets.append(value)
        if key.endswith("_REVOCATION_SUBSCRIBERS"):
            targets.extend(entry.split("=", 1)[1].split("/", 1)[0] for entry in value.split(",") if "=" in entry)
        for target in targets:
            parsed = endpoint_port(target)
            if not report.expect(parsed is not None, f"{where}: {key}={target!r} is not host:port"):
                continue
            host, port = parsed
            if not report.expect(host in services, f"{where}: {key} names {host!r}, not a compose service"):
                continue
            report.expect(port in service_listen.get(host, set()),
                          f"{where}: {key} uses port {port}, but {host} listens on {sorted(service_listen.get(host, set()))}")
            if key.endswith("_ENDPOINT"):
                # Mutual peers (Wallet asks Policy for rules, Policy asks Wallet for
                # counters) cannot both wait for each other: one side depends on the
                # other, and the other answers UNAVAILABLE per call until its peer is up.
                mutual = depends_on_of(services[host]).get(name) == "service_healthy"
                report.expect(depends.get(host) == "service_healthy" or mutual,
                              f"{where}: calls {host} ({key}) without depends_on {host}: service_healthy")
    for key in ("TLS_CERT", "TLS_KEY", "TLS_CA"):
        path = environment.get(prefix + key, "")
        mounts = [str(volume).split(":")[1] for volume in service.get("volumes") or [] if ":" in str(volume)]
        report.expect(any(path.startswith(mount.rstrip("/") + "/") for mount in mounts),
                      f"{where}: {prefix}{key}={path!r} is not under a mounted volume")


def check_project(compose_text: str, project: Project, report: Report) -> dict | None:
    """Assertions about the files around the compose document; returns it interpolated."""
    try:
        raw = yaml.safe_load(compose_text)
    except yaml.YAMLError as error:
        report.expect(False, f"docker-compose.yml does not parse: {error}")
        return None
    referenced: set[str] = set()
    env = {key: value or f"example-{key.lower()}" for key, value in project.env_example.items()}
    compose = interpolate_tree(raw, env, referenced)
    for name in sorted(referenced):
        report.expect(name in project.env_example, f"docker-compose.yml interpolates ${{{name}}}, not documented in deploy/.env.example")
    for name in sorted(SECRETS):
        report.expect(project.env_example.get(name, None) == "", f"deploy/.env.example: secret {name} must be listed and empty")
    report.expect(bool(project.dev_ports), "deploy/dev: no services=( \"name port\" ... ) table")
    for name, port in sorted(project.dev_ports.items()):
        listen = project.help_defaults.get(f"purser-{name}", {}).get(f"PURSER_{name.upper()}_LISTEN", "")
        parsed = endpoint_port(listen)
        report.expect(parsed is not None and parsed[1] == port,
                      f"deploy/dev: {name} on port {port}, but purser-{name} listens on {listen or 'nothing'} by default")

    report.expect(bool(project.dockerfile_products), "deploy/Dockerfile: no ARG PRODUCTS=\"…\" list")
    for product in project.dev_up_products:
        report.expect(product in project.dockerfile_products,
                      f"deploy/Dockerfile: does not build {product}, which `deploy/dev up` runs")
    for product in project.dockerfile_products:
        report.expect(product in project.package_executables, f"deploy/Dockerfile: builds {product}, not a product of Package.swift")
    report.expect(re.search(r"^FROM swift:[0-9.]+-bookworm AS build|^ARG SWIFT_IMAGE=swift:[0-9.]+-bookworm", project.dockerfile, re.M) is not None,
                  "deploy/Dockerfile: build stage is not an official swift:*-bookworm image")
    report.expect(re.search(r"^ARG DEBIAN_IMAGE=debian:bookworm-slim", project.dockerfile, re.M) is not None,
                  "deploy/Dockerfile: the certs stage is not debian:bookworm-slim")
    runtime = project.dockerfile.split("AS runtime", 1)[-1].split("\nFROM ", 1)[0]
    user = re.search(r"^USER\s+(\S+)", runtime, re.M)
    report.expect(user is not None and user.group(1).split(":")[0] not in ("root", "0"), "deploy/Dockerfile: runtime runs as root")
    report.expect("COPY --from=build /rootfs/" in runtime, "deploy/Dockerfile: runtime does not copy the build stage's /rootfs")

    roles = re.search(r"^services=\(([^)]*)\)", project.init_script, re.M)
    # One role per service that has a database (the gateway has none).
    purser = sorted(name for name, service in purser_services(compose, project).items()
                    if any(key.endswith("_DATABASE_URL") for key in environment_of(service))) if isinstance(compose, dict) else []
    report.expect(roles is not None and sorted(roles.group(1).split()) == purser,
                  f"deploy/postgres-init: roles {roles.group(1).split() if roles else []} are not one per service {purser}")
    return compose if isinstance(compose, dict) else None


MUTATIONS = [
    ("a long-running service without a health check", lambda c: c["services"]["wallet"].pop("healthcheck")),
    ("a variable the service does not read",
     lambda c: c["services"]["wallet"]["environment"].__setitem__("PURSER_WALLET_NOT_A_SETTING", "1")),
    ("another service's variable", lambda c: c["services"]["wallet"]["environment"].__setitem__("PURSER_IDENTITY_KEK", "x")),
    ("a required variable left out", lambda c: c["services"]["identity"]["environment"].pop("PURSER_IDENTITY_DATABASE_URL")),
    ("an executable the image lacks", lambda c: c["services"]["wallet"].__setitem__("command", ["purser-ledger"])),
    ("two services on one host port", lambda c: c["services"]["wallet"].__setitem__("ports", ["7101:7102"])),
    ("a private port published", lambda c: c["services"]["settlement"].__setitem__("ports", ["7104:7104"])),
    ("an operator port published on every address", lambda c: c["services"]["policy"].__setitem__("ports", ["7103:7103"])),
    ("an invalid depends_on condition",
     lambda c: c["services"]["wallet"]["depends_on"].__setitem__("identity", {"condition": "service_ready"})),
    ("service_completed_successfully on a long-running service",
     lambda c: c["services"]["wallet"]["depends_on"].__setitem__("identity", {"condition": "service_completed_successfully"})),
    ("a depends_on cycle", lambda c: c["services"]["identity"]["depends_on"].__setitem__("wallet", {"condition": "service_healthy"})),
    ("a service listening on a port other than its default",
     lambda c: c["services"]["settlement"]["environment"].__setitem__("PURSER_SETTLEMENT_LISTEN", "0.0.0.0:7199")),
    ("an endpoint on the wrong port",
     lambda c: c["services"]["wallet"]["environment"].__setitem__("PURSER_WALLET_IDENTITY_ENDPOINT", "identity:7102")),
    ("a build target that is no stage", lambda c: c["services"]["wallet"]["build"].__setitem__("target", "release")),
    ("a service without metrics", lambda c: c["services"]["policy"]["environment"].pop("PURSER_POLICY_METRICS_LISTEN")),
    ("a metrics port not exposed", lambda c: c["services"]["wallet"].pop("expose")),
    ("metrics on the RPC port",
     lambda c: c["services"]["wallet"]["environment"].__setitem__("PURSER_WALLET_METRICS_LISTEN", "0.0.0.0:7102")),
    ("a metrics port published on the host", lambda c: c["services"]["wallet"]["ports"].append("9102:9102")),
]


def share_whole_certificate_volume(compose: dict) -> None:
    """The layout this check was written against: every service mounts the job's whole directory."""
    layout = certificate_layout(compose["services"], Report())
    assert layout is not None and layout.private_volume, "no certificate job"
    for name, service in compose["services"].items():
        if name != layout.job and isinstance(service.get("build"), dict) and service["build"].get("target") == "runtime":
            service["volumes"] = [f"{layout.private_volume}:/certs:ro"]


def add_volume(service: str, mount: str):
    return lambda c: c["services"][service].setdefault("volumes", []).append(mount)


# Mutations of the certificate layout, each with the words its failure must say.
CERTIFICATE_MUTATIONS = [
    ("every service mounts the certificate job's whole volume", share_whole_certificate_volume,
     "which holds the CA key and every service's key"),
    ("a service mounts the CA volume too", add_volume("wallet", "ca:/ca:ro"), "which holds the CA key"),
    ("a service mounts another service's key", add_volume("wallet", "certs-policy:/peer:ro"), "which holds policy's private key"),
    ("a service mounts its own key writable",
     lambda c: c["services"]["wallet"].__setitem__("volumes", ["certs-wallet:/certs"]), "writable"),
    ("a service points at another service's key",
     lambda c: c["services"]["wallet"]["environment"].__setitem__("PURSER_WALLET_TLS_KEY", "/certs/policy.key"),
     "is not wallet.key in its own certificate volume"),
]


def check_mutations(compose: dict, project: Project, report: Report) -> None:
    """Each mutation of a valid compose document must make check_compose fail."""
    for label, mutate in MUTATIONS:
        mutated = copy.deepcopy(compose)
        try:
            mutate(mutated)
        except (KeyError, TypeError) as error:
            report.expect(False, f"mutation {label!r} does not apply to docker-compose.yml ({error!r})")
            continue
        probe = Report()
        check_compose(mutated, project, probe)
        report.expect(bool(probe.failures), f"mutation not caught: {label}")
    for label, mutate, expected in CERTIFICATE_MUTATIONS:
        mutated = copy.deepcopy(compose)
        try:
            mutate(mutated)
        except (KeyError, TypeError, AssertionError) as error:
            report.expect(False, f"mutation {label!r} does not apply to docker-compose.yml ({error!r})")
            continue
        probe = Report()
        check_compose(mutated, project, probe)
        report.expect(any(expected in failure for failure in probe.failures),
                      f"mutation not caught: {label} (failures: {probe.failures})")


def run_compose_v1(root: Path, project: Project, report: Report) -> str:
    """`docker-compose config -q` (v1, engine-free) when installed; returns what happened."""
    executable = shutil.which("docker-compose")
    if executable is None:
        return "docker-compose (v1) not installed: validator skipped"
    with tempfile.TemporaryDirectory() as scratch:
        env_file = Path(scratch) / "env"
        env_file.write_text("".join(f"{key}={value or 'example'}\n" for key, value in project.env_example.items()))
        result = subprocess.run(
            [executable, "--project-directory", str(root), "--env-file", str(env_file), "-f", str(root / "docker-compose.yml"),
             "config", "-q"], capture_output=True, text=True, timeout=120)
    report.expect(result.returncode == 0, f"docker-compose config: {result.stderr.strip()}")
    return "docker-compose (v1) config ran"


def load_project(root: Path, bin_dir: Path) -> Project:
    dockerfile = (root / "deploy/Dockerfile").read_text()
    products = re.search(r'^ARG PRODUCTS="([^"]*)"', dockerfile, re.M)
    stages = set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", dockerfile, re.M | re.I))
    package = (root / "Package.swift").read_text()
    executables = set(re.findall(r'\.executableTarget\(\s*name:\s*"([^"]+)"', package))
    dev = (root / "deploy/dev").read_text()
    block = re.search(r"^services=\(\n(.*?)^\)", dev, re.M | re.S)
    dev_entries = [line.split() for line in re.findall(r'^\s*"([^"]+)"', block.group(1), re.M)] if block else []
    dev_up = [f"purser-{entry[0]}" for entry in dev_entries]
    dev_ports = {entry[0]: int(entry[1]) for entry in dev_entries if len(entry) == 2 and entry[1].isdigit()}
    init_dir = root / "deploy/postgres-init"
    init_script = "".join(path.read_text() for path in sorted(init_dir.glob("*.sh"))) if init_dir.is_dir() else ""
    help_config: dict[str, dict[str, bool] | None] = {}
    help_defaults: dict[str, dict[str, str]] = {}
    for product in (products.group(1).split() if products else []):
        binary = bin_dir / product
        if not binary.is_file():
            help_config[product] = None
            continue
        result = subprocess.run([str(binary), "--help-config"], capture_output=True, text=True, timeout=60,
                                env={key: value for key, value in os.environ.items() if not key.startswith("PURSER_")})
        help_config[product] = parse_help_config(result.stdout) if result.returncode == 0 else None
        help_defaults[product] = parse_help_defaults(result.stdout) if result.returncode == 0 else {}
    return Project(
        root=root, bin_dir=bin_dir, dockerfile=dockerfile, dockerfile_products=products.group(1).split() if products else [],
        dockerfile_stages=stages, package_executables=executables, dev_up_products=dev_up,
        env_example=parse_env_file((root / "deploy/.env.example").read_text()), init_script=init_script,
        help_config=help_config, help_defaults=help_defaults, dev_ports=dev_ports)


def main() -> int:
    root_default = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=root_default)
    parser.add_argument("--bin", type=Path, default=None, help="directory of the built executables (default ROOT/.build/debug)")
    arguments = parser.parse_args()
    root = arguments.root.resolve()
    project = load_project(root, (arguments.bin or root / ".build/debug").resolve())
    report = Report()
    compose = check_project((root / "docker-compose.yml").read_text(), project, report)
    if compose is not None:
        check_compose(compose, project, report)
        check_mutations(compose, project, report)
    validator = run_compose_v1(root, project, report)
    for failure in report.failures:
        print(f"FAIL: {failure}")
    print(validator)
    print(f"compose check: {report.passed} passed, {len(report.failures)} failed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
