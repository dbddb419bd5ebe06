"""The pipeline under fault injection: the real handlers against moto (stack from
template.yaml), the stream mapping played by StreamPump, a clock that moves when the code
waits, and a tally of faults and publishes for the README's figures."""

from __future__ import annotations

import json
import os
import re
import threading
import types
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from consular_alerts import bootstrap
from consular_alerts.domain.segments import segments_reached
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from alerts_local.lambdas import LocalFunctions
from alerts_local.stack import DeployedStack
from alerts_local.streams import StreamPump
from tests.conftest import EVENTS, REPO_ROOT
from tests.injection import Fault

TALLY_DIR = REPO_ROOT / "build" / "resilience"


class MovingClock:
    """Real time plus whatever the code has waited: a 40 s wait for a stale claim takes no
    real time, and DynamoDB still sees consistent timestamps."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def pause(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class Pipeline:
    stack: DeployedStack
    functions: LocalFunctions
    pump: StreamPump
    clock: MovingClock
    faults: list[Fault] = field(default_factory=list)
    sdk_sleeps: list[float] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"{self.stack.name}-seg-"

    def post(self, name: str = "post-advisory-seed.json", **changes: Any) -> dict[str, Any]:
        event = json.loads((EVENTS / name).read_text(encoding="utf-8"))
        event.update(changes)
        response = self.functions.invoke("IngestFunction", event)
        assert response["statusCode"] in {200, 201}, response
        return dict(json.loads(response["body"]))

    def expected(self, advisory: dict[str, Any]) -> set[str]:
        record = advisory["advisory"]
        return {s.name for s in segments_reached(record["countries"], record["level"])}

    def published(self) -> Counter[str]:
        """Publishes per segment topic of this stack, as moto recorded them."""
        backend = sns_backends[DEFAULT_ACCOUNT_ID][self.stack.region]
        return Counter(
            {
                topic.name.removeprefix(self.prefix): len(topic.sent_notifications)
                for topic in list(backend.topics.values())
                if topic.name.startswith(self.prefix) and topic.sent_notifications
            }
        )

    def dead_letters(self) -> list[dict[str, Any]]:
        sqs = self.stack.client("sqs")
        messages = sqs.receive_message(
            QueueUrl=self.stack.resources["FanoutFailureQueue"],
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
        ).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]

    def replay(self) -> Any:
        """`alerts replay` on this stack's fan-out dead-letter queue; its report."""
        from alerts_local.replayer import local_replayer

        return local_replayer(self.stack, self.functions).run()

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def heal(self) -> None:
        for fault in self.faults:
            fault.remove()


@pytest.fixture
def sdk_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The SDK's retry back-offs, recorded instead of slept (botocore sleeps through this
    module's `time`)."""
    slept: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time", types.SimpleNamespace(sleep=slept.append))
    return slept


@pytest.fixture
def pipeline(
    stack: DeployedStack, monkeypatch: pytest.MonkeyPatch, sdk_sleeps: list[float]
) -> Iterator[Pipeline]:
    clock = MovingClock()
    monkeypatch.setattr(bootstrap, "utc_now", clock.now)
    monkeypatch.setattr(bootstrap, "pause", clock.pause)
    bootstrap.reset()
    functions = LocalFunctions(stack)
    # The fan-out's mapping only: these scenarios count its invocations and AWS calls.
    pump = StreamPump(stack, functions, only={"FanoutFunction"})
    built = Pipeline(stack, functions, pump, clock, sdk_sleeps=sdk_sleeps)
    # Every segment the seed could reach has a topic (someone subscribed to it once).
    sns = stack.client("sns")
    for segment in segments_reached(["KZ", "KG", "RU", "TR"], 4):
        sns.create_topic(Name=built.prefix + segment.name)
    yield built
    built.heal()


T = TypeVar("T")


def at_once(count: int, work: Callable[[int], T]) -> list[T]:
    """`work(0) .. work(count - 1)` in threads released together (as many Lambda containers
    at once); their results, after raising the first error any of them met."""
    start = threading.Barrier(count)
    results: list[T] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        start.wait()
        try:
            results.append(work(index))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def atomic_dynamodb(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies each conditional write atomically; moto's threaded server does not
    (two racing transactions can both pass a condition, and its stream then shows records
    of writes that failed). Serializing moto's DynamoDB requests restores the guarantee the
    code relies on, so a concurrency test tests the code, not moto."""
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.Lock()
    call_action = DynamoHandler.call_action

    def atomic(self: DynamoHandler) -> Any:
        with lock:
            return call_action(self)

    monkeypatch.setattr(DynamoHandler, "call_action", atomic)


@dataclass
class Tally:
    """One line per fault scenario: what was injected and what reached SNS."""

    scenario: str
    faults: int = 0
    expected: int = 0
    published: int = 0
    lost: int = 0
    duplicates: int = 0
    duplicates_in_crash_window: int = 0

    def record(
        self,
        pipeline: Pipeline,
        expected: set[str],
        *,
        crash_window: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> None:
        published = pipeline.published()
        self.faults = sum(f.fired for f in pipeline.faults)
        self.expected += len(expected)
        self.published += sum(published[s] for s in expected)
        self.lost += sum(1 for s in expected if published[s] == 0)
        for segment in expected:
            extra = max(0, published[segment] - 1)
            if segment in crash_window:
                self.duplicates_in_crash_window += extra
            else:
                self.duplicates += extra


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    scenario = re.sub(r"^test_", "", request.node.name)
    entry = Tally(scenario)
    yield entry
    TALLY_DIR.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with (TALLY_DIR / f"{worker}.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(vars(entry)) + "\n")


def summarize(directory: Path = TALLY_DIR) -> dict[str, int] | None:
    lines = [
        json.loads(line)
        for path in sorted(directory.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if not lines:
        return None
    keys = ("faults", "expected", "published", "lost", "duplicates")
    summary = {key: sum(int(line[key]) for line in lines) for key in keys}
    summary["duplicates_in_crash_window"] = sum(
        int(line["duplicates_in_crash_window"]) for line in lines
    )
    summary["scenarios"] = len(lines)
    return summary
