"""Three costs of in-process moto that change nothing the code can see, taken out because the
tests deploy hundreds of local stacks (cProfile, three deploys: 9.8 s before, of which these
two were 4.7 s).

- moto's CloudFormation reads every template body with PyYAML's pure-Python loader, even
  JSON; the local stacks are sent as JSON (stack.deploy). JSON is a subset of YAML with no
  tags, so JSON text read as JSON is the same template; anything else goes to moto's parser.
- moto's KMS generates an RSA-2048 private key for every key it creates, symmetric ones
  included, where KMS would never sign with it (Sign is refused on a symmetric key). The
  stack's key is symmetric: it gets one RSA key made once per process. Asymmetric keys keep
  a key of their own.
- moto's server lists its own package directory (a `stat` per entry, about 160) for every
  request, to see whether the Host names a service; the list is made once per process.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import moto.backends as moto_backends
import moto.kms.models as kms_models
from moto.cloudformation.models import Stack

_MARK = "_consular_alerts_speed"
_SYMMETRIC = frozenset({"SYMMETRIC_DEFAULT"})


def make_local_deploys_cheap() -> None:
    """Install both adjustments in this process's moto (idempotent)."""
    _read_json_templates_as_json()
    _share_unused_private_keys()
    _list_moto_modules_once()


def _read_json_templates_as_json() -> None:
    if getattr(Stack.parse_template, _MARK, False):
        return
    moto_parse = Stack.parse_template

    def parse_template(template: str) -> dict[str, Any]:
        if template.lstrip().startswith("{"):
            try:
                parsed = json.loads(template)
            except ValueError:
                pass
            else:
                if isinstance(parsed, dict):
                    return parsed
        return moto_parse(template)

    setattr(parse_template, _MARK, True)
    Stack.parse_template = staticmethod(parse_template)  # type: ignore[method-assign]


def _share_unused_private_keys() -> None:
    moto_generate = getattr(kms_models, "generate_private_key")  # noqa: B009 (not exported)
    if getattr(moto_generate, _MARK, False):
        return
    shared: list[Any] = []

    def generate_private_key(key_spec: str) -> Any:
        if key_spec not in _SYMMETRIC:
            return moto_generate(key_spec)
        if not shared:
            shared.append(moto_generate(key_spec))
        return shared[0]

    setattr(generate_private_key, _MARK, True)
    setattr(kms_models, "generate_private_key", generate_private_key)  # noqa: B010


def _list_moto_modules_once() -> None:
    moto_list = moto_backends.list_of_moto_modules
    if getattr(moto_list, _MARK, False):
        return
    listed = tuple(moto_list())

    def list_of_moto_modules() -> Iterable[str]:
        return listed

    setattr(list_of_moto_modules, _MARK, True)
    moto_backends.list_of_moto_modules = list_of_moto_modules
