"""Cold start as Lambda sees it: each built handler (`.aws-sam/build`, what `sam build` zips)
imported in a fresh Python process, against a fresh process that only imports boto3 (the floor
every handler pays: the Lambda runtime ships it).

In Lambda the function's folder and the layer are read-only, so a module whose bytecode was
not shipped is compiled again at every cold start. Here likewise: the build is copied afresh
for each bench run, the processes run with PYTHONDONTWRITEBYTECODE=1 (nothing they compile
is kept for the next), and with `-S` (no site-packages: only the function's folder, the
layer's `python/` and the runtime's boto3 are importable, so a module the layer lacks fails
here as it would in Lambda). boto3 and its dependencies are copied from this environment
and compiled the same way as the layer: the floor and the handlers load them alike.
The layer's native extensions are built for Lambda (arm64); on a machine of another
architecture each is swapped for this environment's build of the same package version
(pydantic_core), the one thing not loaded as shipped.

Rounds are interleaved (floor, handler A, floor, handler B, ...) and the figure is the
median over rounds of the handler's time over the floor's beside it. Also: the layer's
unzipped and zipped size, and whether every module ships its bytecode.

The import is Lambda's Init phase, and what the handlers leave out of it (pydantic and the
models, settings, services) the first request pays. So that the import figure is not read
as the whole cold start, the APIs are also timed importing and then answering one request
that is refused before any AWS call (validation: it loads pydantic, the settings and the
route's models, but creates no client), beside the same floor. That figure has no target.
"""

from __future__ import annotations

import compileall
import importlib.metadata
import importlib.util
import json
import os
import py_compile
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.common import REPO_ROOT, Figure, Report, interleaved, median, paired_ratio, ratio_text

BUILD = REPO_ROOT / ".aws-sam" / "build"
FUNCTIONS = {
    "ingest": "IngestFunction",
    "fanout": "FanoutFunction",
    "subscriptions": "SubscriptionsFunction",
    "poller": "FeedPollerFunction",
    "advisories": "PublicAdvisoryFunction",
}
LAYER = "SharedLayer"
# What the python3.13 runtime provides beside the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
TARGET = 1.3
# One request per API that is answered before any AWS call, with the settings the function
# needs to start (names only: nothing is called): import + first request.
_SUBSCRIPTION_SETTINGS = {
    "SUBSCRIBERS_TABLE": "subscribers",
    "RATE_LIMITS_TABLE": "rate-limits",
    "SEGMENT_TOPIC_ARN_PREFIX": "arn:aws:sns:us-east-1:123456789012:bench-seg",
    "LINK_SIGNING_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench",
    "EMAIL_QUEUE_ARN": "arn:aws:sqs:us-east-1:123456789012:bench-email",
    "EMAIL_SENDER_ADDRESS": "alerts@example.org",
}
FIRST_REQUESTS: dict[str, tuple[dict[str, object], dict[str, str], int]] = {
    # A subscription without its address: 422 from the route's model.
    "subscriptions": (
        {
            "httpMethod": "POST",
            "path": "/subscriptions",
            "headers": {"Content-Type": "application/json"},
            "body": '{"channel": "sms", "countries": ["KZ"]}',
            "requestContext": {"identity": {"sourceIp": "192.0.2.1"}},
        },
        _SUBSCRIPTION_SETTINGS,
        422,
    ),
    # A post with an option the publisher API does not know: 400, nothing stored.
    "ingest": (
        {
            "httpMethod": "POST",
            "path": "/advisories",
            "queryStringParameters": {"sendd": "true"},
            "multiValueQueryStringParameters": {"sendd": ["true"]},
            "headers": {"Content-Type": "text/plain; charset=utf-8"},
            "body": "Казахстан: избегайте поездок.",
            "requestContext": {"identity": {"userArn": "arn:aws:iam::123456789012:user/bench"}},
        },
        {"ADVISORIES_TABLE": "advisories"},
        400,
    ),
}
_FIRST_REQUEST_CODE = """
import json, sys, app
event = json.loads(sys.argv[1])
class Context:
    function_name = "bench"; memory_limit_in_mb = 512; aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
answer = app.lambda_handler(event, Context())
if answer["statusCode"] != int(sys.argv[2]):
    raise SystemExit(f"answered {answer['statusCode']}, not {sys.argv[2]}: {answer['body']}")
"""
LAYER_TARGET_MB = 25.0
MB = 1024 * 1024


def _environment(paths: list[Path], service: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "POWERTOOLS", "AWS"))}
    env.update(
        PYTHONPATH=os.pathsep.join(str(path) for path in paths),
        PYTHONDONTWRITEBYTECODE="1",
        AWS_DEFAULT_REGION="us-east-1",
        POWERTOOLS_SERVICE_NAME=service,
        POWERTOOLS_LOG_LEVEL="INFO",
        POWERTOOLS_METRICS_NAMESPACE="ConsularAlerts",
    )
    return env


def _run(code: str, env: dict[str, str], cwd: Path, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-S", "-c", code, *arguments],
        env=env,
        check=True,
        cwd=cwd,
        stdout=subprocess.DEVNULL,  # the handler's log lines
    )


def _beside_floor(
    commands: dict[str, Callable[[], object]], floor: Callable[[], object], rounds: int
) -> tuple[dict[str, float], dict[str, float], float]:
    """Each command timed right after a floor run, in every round (common.interleaved; its
    untimed first round warms the file system cache, no bytecode being written): per
    command the median ratio to the floor beside it and its median seconds, and the
    floor's median seconds."""
    contenders: dict[str, Callable[[], object]] = {}
    for name, command in commands.items():
        contenders[f"floor before {name}"] = floor
        contenders[name] = command
    times = interleaved(contenders, rounds)
    ratios = {name: paired_ratio(times, name, f"floor before {name}") for name in commands}
    seconds = {name: median(times[name]) for name in commands}
    floors = [t for name in commands for t in times[f"floor before {name}"]]
    return ratios, seconds, median(floors)


def _runtime(into: Path) -> Path:
    """boto3 and its dependencies from this environment, compiled as the layer is."""
    runtime = into / "runtime"
    runtime.mkdir()
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"bench: {name} is not installed here")
        origin = Path(spec.origin)
        if origin.name == "__init__.py":
            shutil.copytree(
                origin.parent,
                runtime / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyi"),
            )
        else:
            shutil.copy2(origin, runtime / origin.name)
    compileall.compile_dir(
        runtime,
        quiet=1,
        workers=1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    return runtime


def _native_for_this_machine(site: Path) -> list[str]:
    """Swap each extension module built for another architecture for this environment's
    build of the same version; the swapped packages, as `name version`."""
    suffix = str(sysconfig.get_config_var("EXT_SUFFIX"))
    swapped = []
    for foreign in sorted(site.rglob("*.so")):
        if foreign.name.endswith(suffix):
            continue
        package = foreign.parent.relative_to(site).parts[0]
        shipped = [p.name for p in site.glob(f"{package}-*.dist-info")]
        version = importlib.metadata.version(package)
        if f"{package}-{version}.dist-info" not in shipped:
            raise RuntimeError(f"bench: {package} here is {version}, the layer has {shipped}")
        stem = foreign.name.split(".", 1)[0]
        spec = importlib.util.find_spec(f"{package}.{stem}")
        if spec is None or spec.origin is None:
            raise RuntimeError(f"bench: no {package}.{stem} for this machine")
        foreign.unlink()
        shutil.copy2(spec.origin, foreign.parent)
        swapped.append(f"{package} {version}")
    return swapped


def _sizes(layer: Path, scratch: Path) -> tuple[int, int]:
    """Bytes of the layer unzipped (what /opt holds) and zipped (what is uploaded)."""
    files = [path for path in layer.rglob("*") if path.is_file()]
    archive = scratch / "layer.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            bundle.write(path, path.relative_to(layer))
    return sum(path.stat().st_size for path in files), archive.stat().st_size


def missing_bytecode(root: Path) -> list[Path]:
    """Modules under `root` shipped without their compiled bytecode."""
    tag = sys.implementation.cache_tag
    return [
        source
        for source in root.rglob("*.py")
        if not (source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc").exists()
    ]


def imported_modules(env: dict[str, str], cwd: Path) -> set[str]:
    """The modules a handler's import loads (what a cold start pays for)."""
    code = "import sys, app; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-S", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    return set(result.stdout.split())


def run(report: Report, rounds: int) -> None:
    if not (BUILD / LAYER).is_dir():
        for name in FUNCTIONS:
            figure = f"cold start {name} / boto3 floor"
            report.skip("cold start", figure, f"≤ {TARGET}x", "no build: run make build")
        return
    with tempfile.TemporaryDirectory(prefix="coldstart-") as scratch_name:
        scratch = Path(scratch_name)
        build = scratch / "build"
        shutil.copytree(BUILD, build)  # fresh: no bytecode but what the build shipped
        sizes = _sizes(build / LAYER, scratch)  # as shipped, before any swap
        swapped = _native_for_this_machine(build / LAYER / "python")
        runtime = _runtime(scratch)
        _measure(report, rounds, build, runtime, scratch)
        _measure_first_requests(report, rounds, build, runtime, scratch)
        _layer_figure(report, build, sizes, swapped)


def _measure(report: Report, rounds: int, build: Path, runtime: Path, scratch: Path) -> None:
    layer = build / LAYER
    empty = scratch / "cwd"  # '' is on sys.path with -c: nothing to find there
    empty.mkdir()
    print(
        f"Cold start: built handler import / boto3-only import, fresh processes, {rounds} rounds"
        f"\n  from a fresh copy of {os.path.relpath(BUILD, REPO_ROOT)}, no bytecode written"
    )
    floor_env = _environment([runtime], "floor")
    envs = {
        name: _environment([build / logical_id, layer / "python", runtime], name)
        for name, logical_id in FUNCTIONS.items()
    }
    ratios, seconds, floor = _beside_floor(
        {name: partial(_run, "import app", envs[name], empty) for name in FUNCTIONS},
        partial(_run, "import boto3", floor_env, empty),
        rounds,
    )
    for name in FUNCTIONS:
        measured = ratios[name]
        heavy = sorted(
            m
            for m in imported_modules(envs[name], empty)
            if m.split(".")[0] in {"aws_xray_sdk", "pydantic_settings", "feedparser", "pycountry"}
            or m in {"consular_alerts.models.base", "pydantic", "phonenumbers"}
        )
        report.add(
            Figure(
                "cold start",
                f"cold start {name} / boto3 floor",
                ratio_text(measured),
                f"≤ {TARGET}x",
                measured <= TARGET,
                f"median {seconds[name] * 1000:.0f} ms vs floor {floor * 1000:.0f} ms; "
                f"heavy modules loaded at import: {', '.join(heavy) or 'none'}",
            )
        )


def _measure_first_requests(
    report: Report, rounds: int, build: Path, runtime: Path, scratch: Path
) -> None:
    layer = build / LAYER
    empty = scratch / "cwd"
    print("Import + a first request answered before any AWS call / boto3-only import")
    floor_env = _environment([runtime], "floor")
    commands: dict[str, Callable[[], object]] = {}
    for name, (event, settings, answer) in FIRST_REQUESTS.items():
        paths = [build / FUNCTIONS[name], layer / "python", runtime]
        env = {**_environment(paths, name), **settings}
        # The code exits non-zero unless the handler answers `answer`: checked every run.
        commands[name] = partial(
            _run, _FIRST_REQUEST_CODE, env, empty, json.dumps(event), str(answer)
        )
    ratios, seconds, floor = _beside_floor(
        commands, partial(_run, "import boto3", floor_env, empty), rounds
    )
    for name, (event, _, answer) in FIRST_REQUESTS.items():
        report.add(
            Figure(
                "cold start",
                f"import + first request {name} / boto3 floor",
                ratio_text(ratios[name]),
                "none (what Init leaves out)",
                None,
                f"median {seconds[name] * 1000:.0f} ms vs floor {floor * 1000:.0f} ms; the "
                f"request: {event['httpMethod']} {event['path']}, answered {answer} before "
                "any AWS call",
            )
        )


def _layer_figure(report: Report, build: Path, sizes: tuple[int, int], swapped: list[str]) -> None:
    layer = build / LAYER
    unzipped, zipped = sizes
    uncompiled = missing_bytecode(build)
    geodata = (layer / "python" / "phonenumbers" / "geodata").exists()
    locales = sorted(p.name for p in (layer / "python" / "pycountry" / "locales").iterdir())
    report.add(
        Figure(
            "cold start",
            "shared layer unzipped",
            f"{unzipped / MB:.1f} MB",
            f"≤ {LAYER_TARGET_MB:g} MB",
            unzipped / MB <= LAYER_TARGET_MB,
            f"{zipped / MB:.1f} MB zipped; modules without shipped bytecode: "
            f"{len(uncompiled)}; phonenumbers geodata: {'present' if geodata else 'absent'}; "
            f"pycountry locales: {', '.join(locales)}; native code swapped for this "
            f"machine's: {', '.join(swapped) or 'none'}",
        )
    )
