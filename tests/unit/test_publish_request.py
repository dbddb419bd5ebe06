"""POST /advisories beside its body: every query parameter applied or refused (issue 14)."""

from __future__ import annotations

import json

import pytest
from consular_alerts.api_requests import publish_request, query_parameters
from consular_alerts.errors import RequestError
from consular_alerts.models.publisher import AdvisoryDraft, CapDocument, TextPost

DRAFT = json.dumps(
    {"countries": ["KZ"], "level": 2, "content": {"ru": {"headline": "Беспорядки"}}}
).encode()
POST = "Граждане Кыргызстана в Казахстане, избегайте митингов.".encode()
TEXT = "text/plain; charset=utf-8"


@pytest.mark.parametrize("value", ["true", "TRUE", "True", "tRuE"])
def test_dry_run_true_in_any_case_previews(value: str) -> None:
    assert publish_request(DRAFT, "application/json", {"dry_run": value}).options.dry_run


@pytest.mark.parametrize("value", ["false", "FALSE", "False"])
def test_dry_run_false_in_any_case_publishes(value: str) -> None:
    assert not publish_request(DRAFT, "application/json", {"dry_run": value}).options.dry_run


@pytest.mark.parametrize("value", ["on", "y", " true", "true ", "1", "0", "yes", "no", "", "t"])
def test_any_other_dry_run_value_is_a_400_naming_it(value: str) -> None:
    with pytest.raises(RequestError) as refused:
        publish_request(DRAFT, "application/json", {"dry_run": value})
    assert refused.value.status_code == 400
    assert f"dry_run={value!r} is not accepted; use true or false" in refused.value.message


@pytest.mark.parametrize("name", ["dryrun", "dry-run", "preview", "DRY_RUN", "Dry_Run", "x"])
def test_a_parameter_the_route_does_not_define_is_a_400_naming_it(name: str) -> None:
    with pytest.raises(RequestError) as refused:
        publish_request(POST, TEXT, {name: "true", "countries": "KZ"})
    assert refused.value.status_code == 400
    assert f"unknown parameter {name!r}" in refused.value.message
    assert "takes dry_run" in refused.value.message


def test_a_value_that_could_be_personal_is_not_echoed() -> None:
    with pytest.raises(RequestError) as refused:
        publish_request(DRAFT, "application/json", {"dry_run": "+77011234567"})
    assert "77011234567" not in refused.value.message
    assert "a value of 12 characters" in refused.value.message


@pytest.mark.parametrize("query", [{"level": "4"}, {"status": "test"}, {"countries": "KG"}])
def test_metadata_in_the_query_beside_a_json_body_is_refused_naming_it(
    query: dict[str, str],
) -> None:
    for body in (DRAFT, json.dumps({"text": POST.decode()}).encode()):
        with pytest.raises(RequestError) as refused:
            publish_request(body, "application/json", {"dry_run": "true", **query})
        assert refused.value.status_code == 422
        assert f"drop {sorted(query)}" in refused.value.message


def test_metadata_in_the_query_of_a_text_post_is_applied_preview_or_not() -> None:
    for dry_run in ("true", "false"):
        request = publish_request(POST, TEXT, {"dry_run": dry_run, "level": "4", "countries": "KZ"})
        assert isinstance(request.publication, TextPost)
        assert request.publication.metadata.level == 4
        assert request.publication.metadata.countries == ["KZ"]
        assert "dry_run" not in request.publication.metadata.model_dump(exclude_none=True)


def test_options_apply_to_every_kind_of_body() -> None:
    assert isinstance(publish_request(DRAFT, "application/json", {}).publication, AdvisoryDraft)
    cap = b"<alert/>"
    request = publish_request(cap, "application/cap+xml", {"dry_run": "true"})
    assert isinstance(request.publication, CapDocument)
    assert request.options.dry_run


def test_a_parameter_given_twice_is_refused() -> None:
    with pytest.raises(RequestError) as refused:
        query_parameters({"dry_run": "false"}, {"dry_run": ["true", "false"]})
    assert refused.value.status_code == 400
    assert refused.value.message == "query: 'dry_run' given more than once"
    assert query_parameters({"level": "2"}, None) == {"level": "2"}
    assert query_parameters(None, {"level": ["2"]}) == {"level": "2"}
    assert query_parameters(None, None) == {}
