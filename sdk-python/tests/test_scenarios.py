"""The shared scenarios of tests/scenarios, run with the Python client against one
authenticating server; the results go to target/scenario-results/python.json."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import kimberlite
from conftest import REPO, Server, _binary

SCENARIOS = REPO / "tests" / "scenarios"
RESULTS = REPO / "target" / "scenario-results" / "python.json"
FIRST_TENANT = 50_000
WHOLE_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
INLINE_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def load() -> List[Tuple[str, Dict[str, Any]]]:
    """Every scenario as (`file/name`, scenario with its fixture's steps first)."""
    fixtures = json.loads((SCENARIOS / "fixtures.json").read_text())["fixtures"]
    found = []
    for path in sorted(SCENARIOS.glob("*.json")):
        if path.name == "fixtures.json":
            continue
        for scenario in json.loads(path.read_text())["scenarios"]:
            steps = fixtures[scenario["fixture"]] if "fixture" in scenario else []
            found.append((f"{path.stem}/{scenario['name']}",
                          dict(scenario, steps=steps + scenario["steps"])))
    return found


ALL = load()
outcomes: Dict[str, Dict[str, Any]] = {}


class StepFailed(Exception):
    """A step's outcome differs from the expected one."""


def matches(expected: Any, actual: Any) -> bool:
    """Objects match when every expected key matches; lists element by element."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and matches(value, actual[key]) for key, value in expected.items())
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(expected) == len(actual)
                and all(matches(e, a) for e, a in zip(expected, actual)))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    return bool(expected == actual)


class Runner:
    """One scenario's clients, subscriptions, proxies and variables."""

    def __init__(self, server: Server, fork: str, tenant: int) -> None:
        self.server = server
        self.variables: Dict[str, Any] = {
            "server": server.address, "admin_token": server.admin_token, "tenant": tenant,
            "fork_server": fork}
        self.clients: Dict[str, kimberlite.Client] = {}
        self.subscriptions: Dict[str, Any] = {}
        self.proxies: List[subprocess.Popen[str]] = []

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            whole = WHOLE_VARIABLE.fullmatch(value)
            if whole:
                return self.variables[whole.group(1)]
            return INLINE_VARIABLE.sub(lambda m: str(self.variables[m.group(1)]), value)
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        return value

    def close(self) -> None:
        for subscription in self.subscriptions.values():
            subscription.cancel()
        for client in self.clients.values():
            client.close()
        for proxy in self.proxies:
            proxy.terminate()
            proxy.wait(timeout=20)

    def run(self, steps: List[Dict[str, Any]]) -> None:
        for index, step in enumerate(steps):
            where = f"step {index + 1} ({step['op']})"
            args = self.resolve(step.get("args", {}))
            expect = self.resolve(step.get("expect", {}))
            try:
                result = self.call(step["op"], args)
            except kimberlite.KimberliteError as error:
                wanted = expect.get("error")
                allowed = wanted if isinstance(wanted, list) else [wanted]
                if error.code_name not in allowed:
                    raise StepFailed(f"{where}: {error.code_name}: {error.message}"
                                     f" (expected {wanted or 'success'})") from None
                continue
            if "error" in expect:
                raise StepFailed(f"{where}: succeeded with {result!r}, expected {expect['error']}")
            if "result" in expect and not matches(expect["result"], result):
                raise StepFailed(f"{where}: got {result!r}, expected {expect['result']!r}")
            save = step.get("save")
            if isinstance(save, str):
                self.variables[save] = result
            elif isinstance(save, dict):
                for variable, field in save.items():
                    self.variables[variable] = result[field]

    def call(self, op: str, args: Dict[str, Any]) -> Any:
        if op == "connect":
            name = args.get("client", "main")
            self.clients[name] = kimberlite.Client(
                args.get("address", self.server.address), tenant=args["tenant"],
                api_key=args.get("token"), request_timeout=20.0)
            return None
        if op == "clock":
            time.sleep(0.02)
            now = datetime.datetime.now(datetime.timezone.utc)
            time.sleep(0.02)
            return now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}"
        if op == "start_proxy":
            return self.start_proxy(args)
        if op == "next_events":
            subscription = self.subscriptions[args["subscription"]]
            events = [next(subscription) for _ in range(args["count"])]
            return [{"offset": e.offset, "payload": e.payload.decode()} for e in events]
        if op == "unsubscribe":
            self.subscriptions.pop(args["subscription"]).cancel()
            return None
        client = self.clients[args.get("client", "main")]
        return self.client_call(client, op, args)

    def client_call(self, client: kimberlite.Client, op: str, args: Dict[str, Any]) -> Any:
        if op == "close":
            self.clients.pop(args.get("client", "main")).close()
            return None
        if op == "create_tenant":
            return client.create_tenant(args["tenant"], args["name"])
        if op == "create_api_key":
            created = client.create_api_key(args["tenant"], args["label"])
            return {"key_id": created.key_id, "secret": created.secret}
        if op == "create_stream":
            return client.create_stream(args["name"])
        if op == "stream_length":
            return client.stream_length(args["stream"])
        if op == "append":
            events = [event.encode() for event in args["events"]]
            return client.append(args["stream"], events, expected_offset=args["expected_offset"])
        if op == "read":
            read = client.read(args["stream"], args["from"])
            return {"events": [event.decode() for event in read.events],
                    "next_offset": read.next_offset}
        if op == "read_verified":
            verified = client.read_verified(args["stream"], args["from"])
            return {"events": [{"offset": e.offset, "payload": e.payload.decode()}
                               for e in verified.events],
                    "next_offset": verified.next_offset,
                    "checkpoint_size": verified.checkpoint.size}
        if op == "checkpoint":
            return {"size": client.checkpoint(args["stream"]).size}
        if op == "subscribe":
            self.subscriptions[args["subscription"]] = client.subscribe(
                args["stream"], args["from"], credits=args.get("credits", 64))
            return None
        if op == "execute":
            done = client.execute(args["sql"], args.get("params", []))
            return {"rows_affected": done.rows_affected, "log_offset": done.log_offset}
        if op in ("query", "query_at"):
            if op == "query":
                rows = client.query(args["sql"], args.get("params", []))
            else:
                rows = client.query_at(args["sql"], args.get("params", []), args["position"])
            return {"columns": list(rows.columns), "rows": [list(row) for row in rows.rows]}
        raise StepFailed(f"unknown operation {op!r}")

    def start_proxy(self, args: Dict[str, Any]) -> str:
        binary = os.environ.get("KIMBERLITE_TAMPER_PROXY_BIN",
                                str(REPO / "target" / "debug" / "kimberlite-tamper-proxy"))
        argv = [binary, "--upstream", self.server.address, "--mode", args["mode"],
                "--listen", "127.0.0.1:0"]
        if "fork_upstream" in args:
            argv += ["--fork-upstream", args["fork_upstream"]]
        proxy = subprocess.Popen(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                 text=True)
        self.proxies.append(proxy)
        assert proxy.stdout is not None
        for line in proxy.stdout:
            found = re.match(r"proxy listening on (\S+)", line.strip())
            if found:
                return found.group(1)
        raise StepFailed(f"the proxy exited with {proxy.wait()} before listening")


@pytest.fixture(scope="module")
def fork_server(admin_server: Server) -> Iterator[str]:
    """A second server with the signing key, node name and admin token of
    `admin_server` and an empty log: the fork of the forked-checkpoint mode."""
    with tempfile.TemporaryDirectory(prefix="kimberlite-python-fork-") as root:
        directory = pathlib.Path(root) / "data"
        subprocess.run([str(_binary()), "init", str(directory)], capture_output=True,
                       check=True, stdin=subprocess.DEVNULL)
        for name in ("kimberlite.toml", "keys/signing.key", "keys/admin.token"):
            shutil.copyfile(admin_server.directory / name, directory / name)
        process = subprocess.Popen(
            [str(_binary()), "start", "--address", "127.0.0.1:0", str(directory)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            text=True)
        try:
            assert process.stdout is not None
            for line in process.stdout:
                found = re.match(r"kimberlite listening on (\S+)", line.strip())
                if found:
                    yield found.group(1)
                    break
            else:
                pytest.fail(f"the fork server exited with {process.wait()} before listening")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)


@pytest.fixture(scope="module")
def results() -> Iterator[Dict[str, Dict[str, Any]]]:
    """Collects every scenario's outcome and writes them when the module is done."""
    yield outcomes
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(dict(sorted(outcomes.items())), indent=2) + "\n")


@pytest.mark.parametrize("index", range(len(ALL)), ids=[name for name, _ in ALL])
def test_scenario(index: int, admin_server: Server, fork_server: str,
                  results: Dict[str, Dict[str, Any]]) -> None:
    name, scenario = ALL[index]
    runner = Runner(admin_server, fork_server, FIRST_TENANT + index)
    failures: List[str] = []

    def run() -> None:
        try:
            runner.run(scenario["steps"])
        except Exception as error:  # every failure is reported in the results, then fails
            failures.append(f"{type(error).__name__}: {error}")

    # A step that never returns (a subscription waiting forever) fails the scenario
    # after 60 s instead of stopping the suite; its clients are left to the
    # server's shutdown (closing them would wait for the stuck call).
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    failure: Optional[str] = failures[0] if failures else None
    if thread.is_alive():
        failure = "no outcome within 60 s"
    else:
        runner.close()
    results[name] = {"pass": failure is None, "message": failure or ""}
    assert failure is None, failure
