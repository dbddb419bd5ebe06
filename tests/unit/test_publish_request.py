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


def test_if_match_names_the_edited_version() -> None:
    request = publish_request(DRAFT, "application/json", {}, '"3"')
    assert request.options.expected_version == 3
    for bad in ("3", 'W/"3"', '"0"', '"3", "4"', "*", '"x"'):
        with pytest.raises(RequestError) as refused:
            publish_request(DRAFT, "application/json", {}, bad)
        assert refused.value.status_code == 400
        assert "If-Match" in refused.value.message


def test_a_json_body_may_carry_expected_version_and_revert() -> None:
    body = json.loads(DRAFT)
    request = publish_request(
        json.dumps({**body, "expected_version": 2, "revert": True}).encode(), "application/json", {}
    )
    assert (request.options.expected_version, request.options.revert) == (2, True)
    assert isinstance(request.publication, AdvisoryDraft)  # not fields of the advisory
    post = {"text": POST.decode(), "revert": True}
    assert publish_request(json.dumps(post).encode(), "application/json", {}).options.revert


@pytest.mark.parametrize(
    ("fields", "names"),
    [
        ({"expected_version": "2"}, "expected_version: Input should be a valid integer"),
        ({"expected_version": 0}, "expected_version: Input should be greater than or equal to 1"),
        ({"revert": "yes"}, "revert: Input should be a valid boolean"),
    ],
)
def test_wrong_option_fields_are_a_422_naming_them(fields: dict[str, object], names: str) -> None:
    with pytest.raises(RequestError) as refused:
        publish_request(
            json.dumps({**json.loads(DRAFT), **fields}).encode(), "application/json", {}
        )
    assert (refused.value.status_code, names in refused.value.message) == (422, True)


def test_an_option_given_two_ways_must_agree() -> None:
    both = json.dumps({**json.loads(DRAFT), "expected_version": 2, "revert": False}).encode()
    assert (
        publish_request(both, "application/json", {"revert": "false"}, '"2"').options.revert
        is False
    )
    with pytest.raises(RequestError) as refused:
        publish_request(both, "application/json", {}, '"3"')
    assert refused.value.message == (
        "expected_version: the If-Match header says 3, the body 2; give it once"
    )
    with pytest.raises(RequestError) as refused:
        publish_request(both, "application/json", {"revert": "true"})
    assert refused.value.message == "revert: the query says true, the body false; give it once"


def test_revert_in_the_query_applies_to_every_body_and_takes_true_or_false_only() -> None:
    assert publish_request(POST, TEXT, {"revert": "TRUE", "countries": "KZ"}).options.revert
    assert publish_request(b"<alert/>", "application/cap+xml", {"revert": "true"}).options.revert
    with pytest.raises(RequestError) as refused:
        publish_request(DRAFT, "application/json", {"revert": "1"})
    assert "revert='1' is not accepted" in refused.value.message


def test_the_cli_file_format_knows_no_publish_options() -> None:
    from consular_alerts.api_requests import publication_from_request

    with pytest.raises(RequestError) as refused:
        publication_from_request(
            json.dumps({**json.loads(DRAFT), "revert": True}).encode(), "application/json", {}
        )
    assert "revert: Extra inputs are not permitted" in refused.value.message
