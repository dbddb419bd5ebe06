"""Runs the real handlers in this process, as Lambda would call them."""

from __future__ import annotations

import importlib.util
import os
import uuid
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from consular_alerts import bootstrap

from alerts_local.stack import DeployedStack, LocalFunction


@dataclass
class LocalContext:
    """The parts of the Lambda context object the handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    aws_request_id: str = ""
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def use_local_credentials(region: str) -> None:
    """Fake credentials for moto: the developer's real AWS identity is never used locally."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",  # noqa: S106  (moto accepts any credentials)
        AWS_DEFAULT_REGION=region,
        AWS_REGION=region,
        # Current botocore would otherwise route DynamoDB to an account endpoint (fact 8).
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    )


#: moto answers in-process; a slow answer is a busy machine, never a lost request.
LOCAL_READ_TIMEOUT_SECONDS = 120


def apply_environment(stack: DeployedStack, log_level: str) -> None:
    """Point boto3 at moto and give the handlers their template-defined environment."""
    use_local_credentials(stack.region)
    os.environ.update(stack.environment())
    os.environ.update(
        AWS_ENDPOINT_URL=stack.endpoint_url,
        POWERTOOLS_LOG_LEVEL=log_level,
        POWERTOOLS_DEV="false",
    )
    bootstrap.reset()
    bootstrap.use_patient_sdk(LOCAL_READ_TIMEOUT_SECONDS)


class LocalFunctions:
    def __init__(self, stack: DeployedStack) -> None:
        self._stack = stack
        self._modules: dict[str, ModuleType] = {}

    def _module(self, function: LocalFunction) -> ModuleType:
        if function.logical_id not in self._modules:
            module_name, _ = function.handler.rsplit(".", 1)
            path = function.code_dir / f"{module_name}.py"
            spec = importlib.util.spec_from_file_location(f"fn_{function.logical_id}", path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {path}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self._modules[function.logical_id] = module
        return self._modules[function.logical_id]

    def module(self, logical_id: str) -> ModuleType:
        """The loaded handler module of a function (e.g. for its OpenAPI document)."""
        return self._module(self._stack.functions[logical_id])

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        function = self._stack.functions[logical_id]
        handler = getattr(self._module(function), function.handler.rsplit(".", 1)[1])
        physical = self._stack.resources.get(logical_id, logical_id)
        context = LocalContext(
            function_name=physical,
            invoked_function_arn=f"arn:aws:lambda:{self._stack.region}:123456789012:function:{physical}",
            aws_request_id=str(uuid.uuid4()),
        )
        return handler(event, context)
