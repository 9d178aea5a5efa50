"""Throwaway Synapse homeserver for integration tests.

Synapse runs as a subprocess of the interpreter running the tests, so
``matrix-synapse`` must be installed in the same environment as pytest.
It listens on 127.0.0.1 only, uses SQLite, has no federation listener and
has rate limits relaxed so tests can send messages as fast as they like.

Usage::

    with Homeserver(tmp_dir) as hs:
        user_id, token = hs.register("alice", "secret")
        hs.request("POST", "/_matrix/client/v3/createRoom", token=token, body={})

For pytest, use the ``matrix_homeserver`` session fixture defined here: list
this module in ``pytest_plugins`` of the root ``conftest.py`` or wrap
:func:`homeserver_fixture_body` in a fixture of your own.  Under ``CI=true``
a missing Synapse fails the run instead of skipping it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib.util
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SERVER_NAME = "localhost"
STARTUP_TIMEOUT = 60.0

# Generous enough that no test ever hits a limit.
_RELAXED = {"per_second": 1000, "burst_count": 1000}


class HomeserverError(RuntimeError):
    """Synapse failed to start or answered an API call with an error."""

    def __init__(self, message: str, status: int | None = None, body: Any = None):
        super().__init__(message)
        self.status = status
        self.body = body


def module_available(name: str) -> bool:
    """True when ``name`` is importable by the interpreter running the tests."""
    return importlib.util.find_spec(name) is not None


def require_modules(*names: str) -> None:
    """Skip when a module is missing, but fail instead under ``CI=true``.

    Works inside a test or fixture and at module level of a test file.
    """
    missing = [name for name in names if not module_available(name)]
    if not missing:
        return
    message = (
        f"not installed in {sys.executable}: {', '.join(missing)}; "
        "install the Matrix test requirements"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)


def require_synapse() -> None:
    require_modules("synapse")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Homeserver:
    """A Synapse process living in ``tmp_dir``; usable as a context manager."""

    def __init__(self, tmp_dir: str | os.PathLike[str], port: int | None = None):
        self.dir = Path(tmp_dir)
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.server_name = SERVER_NAME
        self.shared_secret = secrets.token_hex(32)
        self.config_path = self.dir / "homeserver.yaml"
        self.log_path = self.dir / "homeserver.log"
        self.output_path = self.dir / "homeserver.out"
        self.startup_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self) -> Homeserver:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout: float = STARTUP_TIMEOUT) -> None:
        if self._process is not None:
            raise HomeserverError("homeserver already started")
        self.dir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        began = time.monotonic()
        with open(self.output_path, "ab") as output:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_until_ready(began + timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began

    def stop(self, timeout: float = 15.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _wait_until_ready(self, deadline: float) -> None:
        url = f"{self.base_url}/_matrix/client/versions"
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise HomeserverError(
                    f"synapse exited with code {self._process.returncode}:\n{self.output_tail()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise HomeserverError(f"synapse not ready after timeout:\n{self.output_tail()}")

    def output_tail(self, lines: int = 40) -> str:
        chunks = []
        for path in (self.output_path, self.log_path):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                chunks.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(chunks)

    # -- configuration -----------------------------------------------------

    def _write_config(self) -> None:
        signing_key = self.dir / "signing.key"
        if not signing_key.exists():
            # Format read by Synapse: "<algorithm> <version> <unpadded base64 seed>".
            seed = base64.b64encode(os.urandom(32)).decode().rstrip("=")
            signing_key.write_text(f"ed25519 a_test {seed}\n")

        log_config = self.dir / "log_config.yaml"
        log_config.write_text(json.dumps(self._log_config(), indent=2))

        # JSON is valid YAML, which spares us a YAML writer.
        self.config_path.write_text(json.dumps(self._config(signing_key, log_config), indent=2))

    def _log_config(self) -> dict[str, Any]:
        return {
            "version": 1,
            "formatters": {
                "precise": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"},
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filename": str(self.log_path),
                },
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }

    def _config(self, signing_key: Path, log_config: Path) -> dict[str, Any]:
        return {
            "server_name": self.server_name,
            "public_baseurl": f"{self.base_url}/",
            "pid_file": str(self.dir / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    # Client API and the admin API (shared-secret registration)
                    # only; no "federation" resource.
                    "resources": [{"names": ["client"], "compress": False}],
                },
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(self.dir / "homeserver.db")},
            },
            "log_config": str(log_config),
            "media_store_path": str(self.dir / "media_store"),
            "signing_key_path": str(signing_key),
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "report_stats": False,
            "enable_metrics": False,
            "presence": {"enabled": False},
            "enable_registration": False,
            "registration_shared_secret": self.shared_secret,
            "macaroon_secret_key": secrets.token_hex(32),
            "form_secret": secrets.token_hex(32),
            "bcrypt_rounds": 4,
            "rc_message": _RELAXED,
            "rc_registration": _RELAXED,
            "rc_login": {
                "address": _RELAXED,
                "account": _RELAXED,
                "failed_attempts": _RELAXED,
            },
            "rc_joins": {"local": _RELAXED, "remote": _RELAXED},
            "rc_joins_per_room": _RELAXED,
            "rc_invites": {
                "per_room": _RELAXED,
                "per_user": _RELAXED,
                "per_issuer": _RELAXED,
            },
            "rc_room_creation": _RELAXED,
            "rc_admin_redaction": _RELAXED,
            "rc_3pid_validation": _RELAXED,
        }

    # -- HTTP --------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        timeout: float = 30.0,
    ) -> Any:
        """Call the homeserver and return the decoded JSON answer.

        Raises :class:`HomeserverError` with ``status`` and ``body`` for a
        non-2xx answer.
        """
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                detail = json.loads(payload)
            except ValueError:
                detail = payload.decode(errors="replace")
            raise HomeserverError(
                f"{method} {path} -> {error.code}: {detail}", error.code, detail
            ) from None

    def register(self, localpart: str, password: str, admin: bool = False) -> tuple[str, str]:
        """Create a user through shared-secret registration; return (user_id, token)."""
        path = "/_synapse/admin/v1/register"
        nonce = self.request("GET", path)["nonce"]
        message = b"\x00".join(
            [
                nonce.encode(),
                localpart.encode(),
                password.encode(),
                b"admin" if admin else b"notadmin",
            ]
        )
        mac = hmac.new(self.shared_secret.encode(), message, hashlib.sha1).hexdigest()
        answer = self.request(
            "POST",
            path,
            body={
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac,
            },
        )
        return answer["user_id"], answer["access_token"]


def homeserver_fixture_body(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    """Body of a session fixture: one homeserver shared by the whole run."""
    require_synapse()
    with Homeserver(tmp_path_factory.mktemp("synapse")) as homeserver:
        yield homeserver


@pytest.fixture(scope="session")
def matrix_homeserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    yield from homeserver_fixture_body(tmp_path_factory)
