"""Child process of bench/memory.py: one handler, one invocation, in a fresh process.

    PYTHONPATH=functions/<name>:layers/shared python bench/invoke.py EVENT.json

Prints JSON: peak resident memory after the invocation (VmHWM of this process: the kernel's
ru_maxrss carries the parent's peak across fork and exec, so it can report the bench's own
memory rather than the handler's), the seconds the import
and the invocation took, and the handler's answer in brief.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.pop(0)  # this script's folder: a Lambda has only the function's and the layer's


class Context:
    function_name = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = 256
    function_version = "$LATEST"
    aws_request_id = str(uuid.uuid4())
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


def peak_rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    event = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    started = time.perf_counter()
    import app  # type: ignore[import-not-found]

    imported = time.perf_counter()
    answer: Any = app.lambda_handler(event, Context())
    invoked = time.perf_counter()
    brief = {k: answer[k] for k in ("statusCode", "batchItemFailures") if k in answer}
    if "feeds" in answer:
        brief["feeds"] = [(f["status"], f["stored"], f["error"]) for f in answer["feeds"]]
    print(
        json.dumps(
            {
                "max_rss_kb": peak_rss_kb(),
                "import_s": imported - started,
                "invoke_s": invoked - imported,
                "answer": brief,
            }
        )
    )


if __name__ == "__main__":
    main()
