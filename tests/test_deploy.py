"""The deployment files held to the code, without a container engine: compose.yaml's services run
the package's own programs in the right order, every setting anything reads is in .env.example
and the docs, the Dockerfile and .dockerignore keep their promises, and the pre-commit hooks
run the project's own linters, offline, at the versions nox installs."""

from __future__ import annotations

import json
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SCRIPTS = set(PYPROJECT["project"]["scripts"])
COMPOSE_TEXT = (ROOT / "compose.yaml").read_text(encoding="utf-8")
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, Any] = COMPOSE["services"]
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
DOCS = {
    page: (ROOT / "docs" / page).read_text(encoding="utf-8")
    for page in ("deploy.md", "api.md", "telegram.md")
}


def words(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def ours(name: str) -> bool:
    """A service running the habitcore image (built from this Dockerfile)."""
    return "build" in SERVICES[name]


def test_every_habitcore_service_runs_one_of_the_package_programs() -> None:
    assert {name for name in SERVICES if ours(name)} == {"migrate", "bot", "api"}
    for name, service in SERVICES.items():
        if not ours(name):
            assert "command" not in service, name
            continue
        assert service.get("env_file") == ".env", name
        assert words(service["command"])[0] in SCRIPTS, (name, service["command"])
        assert service["environment"]["HABITCORE_DATABASE_URL"].startswith(
            "postgresql+psycopg://"
        ), name
        assert "@postgres:5432/" in service["environment"]["HABITCORE_DATABASE_URL"], name


def test_compose_orders_postgres_migrate_then_the_bot_and_the_api() -> None:
    postgres = SERVICES["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(words(postgres["healthcheck"]["test"]))
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]  # a named volume, not a folder of this checkout

    migrate = SERVICES["migrate"]
    assert words(migrate["command"]) == ["habit", "db", "upgrade"]
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert migrate["restart"] == "no"  # one-shot

    bot, api = SERVICES["bot"], SERVICES["api"]
    assert words(bot["command"]) == ["habit-telegram"]
    assert words(api["command"])[:3] == ["habit-api", "--host", "0.0.0.0"]
    for service in (bot, api):
        assert service["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert words(bot["healthcheck"]["test"])[1:] == ["habit", "db", "current"]
    assert api["ports"], "the API is published"
    for port in api["ports"]:
        assert str(port).startswith("127.0.0.1:"), port  # this machine only: plain HTTP


def compose_variables() -> set[str]:
    """Every ``${VAR}`` compose interpolates (``$${VAR}`` is the container's) and every
    environment key a service sets."""
    found = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", COMPOSE_TEXT))
    for service in SERVICES.values():
        found |= set(service.get("environment", {}))
    return found


def source_variables() -> set[str]:
    """Every HABITCORE_* name the source mentions: read from the environment or named to people."""
    found: set[str] = set()
    for path in (ROOT / "src").rglob("*.py"):
        found |= set(re.findall(r"\bHABITCORE_[A-Z0-9_]*[A-Z0-9]\b", path.read_text("utf-8")))
    return found


def test_the_variables_are_found() -> None:
    source = source_variables()
    assert {"HABITCORE_DATABASE_URL", "HABITCORE_TELEGRAM_TOKEN", "HABITCORE_API_RATE"} <= source
    assert {"POSTGRES_PASSWORD", "API_HOST_PORT"} <= compose_variables()


def test_every_variable_is_in_env_example_and_the_docs() -> None:
    for name in sorted(source_variables() | compose_variables()):
        assert re.search(rf"^#? ?{name}=", ENV_EXAMPLE, re.M), f"{name} is not in .env.example"
        assert any(f"`{name}`" in page for page in DOCS.values()), f"{name} is not in docs/"
        if name in compose_variables():
            assert f"`{name}`" in DOCS["deploy.md"], f"{name} is not in docs/deploy.md"


def test_env_example_names_only_real_settings() -> None:
    known = source_variables() | compose_variables()
    for name in re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, re.M):
        assert name in known, f".env.example offers {name}, which nothing reads"


def dockerfile_instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_dockerfile_keeps_its_promises() -> None:
    steps = dockerfile_instructions()
    froms = [arg for kind, arg in steps if kind == "FROM"]
    assert froms
    assert all(arg.startswith("python:3.12-slim") for arg in froms)
    runs = " ".join(arg for kind, arg in steps if kind == "RUN")
    assert 'install ".[telegram,api,postgres]"' in runs  # from this source tree
    assert "tzdata" in runs
    users = [arg for kind, arg in steps if kind == "USER"]
    assert users
    assert users[-1] not in ("root", "0")
    envs = " ".join(arg for kind, arg in steps if kind == "ENV")
    assert "HABITCORE_DATABASE_URL=" in envs
    assert "`HABITCORE_DATABASE_URL`" in DOCS["deploy.md"]
    (health,) = [arg for kind, arg in steps if kind == "HEALTHCHECK"]
    assert "curl" not in health
    assert "wget" not in health
    (cmd,) = [arg for kind, arg in steps if kind == "CMD"]
    assert json.loads(cmd)[0] in SCRIPTS


def healthcheck_argv() -> list[str]:
    (health,) = [arg for kind, arg in dockerfile_instructions() if kind == "HEALTHCHECK"]
    argv: list[str] = json.loads(health.split(" CMD ", 1)[1])
    return argv


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_image_healthcheck_passes_on_a_running_api_and_fails_without_one(
    tmp_path: Path,
) -> None:
    """The HEALTHCHECK's own command, run here against a real habit-api."""
    argv = healthcheck_argv()
    assert argv[0] == "python"
    check = [sys.executable, *argv[1:]]
    port = str(free_port())
    env = {"PATH": "", "HABITCORE_API_PORT": port, "HOME": str(tmp_path)}
    down = subprocess.run(check, env=env, capture_output=True, timeout=60)
    assert down.returncode != 0
    api = subprocess.Popen(
        [str(Path(sys.executable).parent / "habit-api"), "--port", port],
        env={**env, "HABITCORE_DATABASE_URL": f"sqlite:///{tmp_path / 'habits.db'}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ends = time.monotonic() + 120
        while True:
            assert api.poll() is None, "habit-api ended early"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < ends, "habit-api did not answer within 120 s"
            time.sleep(0.1)
        up = subprocess.run(check, env=env, capture_output=True, timeout=60)
        assert up.returncode == 0, up.stderr
    finally:
        api.send_signal(signal.SIGTERM)
        try:
            api.wait(120)
        except subprocess.TimeoutExpired:
            api.kill()
            api.wait()


def test_the_dockerignore_keeps_secrets_history_and_databases_out() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "*.db", "**/*.db", ".env"} <= ignored
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.M)
    for sources in copied:  # what the build copies is not ignored
        for source in sources.split():
            assert source.rstrip("/") not in ignored, source


def test_pre_commit_runs_the_project_linters_offline() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert all(repo["repo"] == "local" for repo in config["repos"])  # nothing to download
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    for hook in hooks:
        assert hook["language"] in ("system", "python"), hook["id"]
        assert "additional_dependencies" not in hook, hook["id"]
    entries = {hook["entry"] for hook in hooks}
    assert "ruff check" in entries
    assert any(entry.startswith("ruff format") for entry in entries)
    assert "mypy" in entries


def test_the_linters_are_pinned_and_nox_lint_uses_the_pins() -> None:
    pins = dict(
        (name, pinned)
        for name, pinned in (
            re.match(r"([A-Za-z0-9_.-]+)==(\S+)$", spec).groups()  # type: ignore[union-attr]
            for spec in PYPROJECT["project"]["optional-dependencies"]["dev"]
            if "==" in spec
        )
    )
    # Exact versions, so nox, CI's lint step and the hooks (all of which install the dev extra)
    # check alike; the test suite itself installs only the test extra, without the linters.
    assert set(pins) == {"ruff", "mypy"}
    assert all(re.fullmatch(r"\d+(\.\d+)+", pinned) for pinned in pins.values()), pins
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    lint = noxfile[noxfile.index("def lint(") :]
    lint = lint[: lint.index("\n@nox.session")]
    assert '_install(session, "dev")' in lint
    for command in ('"ruff", "check"', '"ruff", "format", "--check"', '"mypy"'):
        assert command in lint
