"""template.yaml: the site (private bucket behind CloudFront), the APIs the pages call, and the
local runtime serving the same pages with the same routes and headers."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from alerts_local.stack import DeployedStack, translate
from alerts_local.web import CONTENT_SECURITY_POLICY, WEB_ROOT, page_file


def resource(sam: dict[str, Any], name: str) -> dict[str, Any]:
    properties: dict[str, Any] = sam["Resources"][name]["Properties"]
    return properties


def directives(policy: str) -> dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


def test_the_bucket_is_private_and_only_the_distribution_reads_it(sam: dict[str, Any]) -> None:
    block = resource(sam, "WebBucket")["PublicAccessBlockConfiguration"]
    assert all(block[key] is True for key in block)
    assert len(block) == 4
    statements = resource(sam, "WebBucketPolicy")["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert "${WebDistribution}" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_distribution_uses_oac_https_and_the_security_headers(sam: dict[str, Any]) -> None:
    config = resource(sam, "WebDistribution")["DistributionConfig"]
    (origin,) = [o for o in config["Origins"] if o["Id"] == "site"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": "WebSecurityHeaders"}
    assert behavior["FunctionAssociations"][0]["EventType"] == "viewer-request"
    oac = resource(sam, "WebOriginAccessControl")["OriginAccessControlConfig"]
    assert (oac["SigningBehavior"], oac["SigningProtocol"]) == ("always", "sigv4")


def test_deployed_csp_is_the_local_one_plus_the_api_hosts(sam: dict[str, Any]) -> None:
    headers = resource(sam, "WebSecurityHeaders")["ResponseHeadersPolicyConfig"]
    deployed = directives(
        headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"][
            "Fn::Sub"
        ]
    )
    local = directives(CONTENT_SECURITY_POLICY)
    assert deployed["default-src"] == "'self'"
    # The two APIs by name: a wildcard would let a script reach any account's API.
    assert deployed.pop("connect-src") == (
        "'self' https://${CitizenApi}.execute-api.${AWS::Region}.${AWS::URLSuffix} "
        "https://${PublisherApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
    )
    assert local.pop("connect-src") == "'self'"
    assert deployed == local
    assert "unsafe" not in json.dumps(deployed)


def cloudfront_routes(sam: dict[str, Any]) -> list[tuple[list[str], str]]:
    """The viewer-request function's branches: (the URI patterns, the file they map to)."""
    code = resource(sam, "WebRoutes")["FunctionCode"]
    branches = re.findall(r"if \((.*?)\) \{\s*request\.uri = '([^']+)';", code)
    assert len(branches) == 3, code
    return [
        (
            [p.replace("\\/", "/") for p in re.findall(r"/(\^.*?\$)/\.test", condition)]
            + (["^/$"] if "uri === '/'" in condition else []),
            target,
        )
        for condition, target in branches
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/s/5831e3ab-5297-4e55-9f65-bef2368278c3",
        "/unsubscribe",
        "/unsubscribe/",
        "/console",
        "/console/",
        "/style.css",
        "/citizen/app.js",
        "/s/a/b",
        "/sx/abc",
        "/c/KZ",
        "/c/kz",
        "/c/KZX",
        "/c/",
        "/a/caf7ae85",
        "/a/mfa-kg-6f1c2a4e3b7d4c8e9a51",
        "/a/mfa-kg/2026/tr-0147",
        "/a/urn:oid:2.49.0.1.398",
        "/a/",
        "/a/.hidden",
        "/a/" + "x" * 201,
        "/advisory/app.js",
        "/advisory/strings.js",
    ],
)
def test_cloudfront_function_routes_pages_as_the_local_runtime(
    sam: dict[str, Any], path: str
) -> None:
    cloudfront = next(
        (
            target
            for patterns, target in cloudfront_routes(sam)
            if any(re.match(p, path) for p in patterns)
        ),
        path,
    )
    local = page_file(path)
    expected = WEB_ROOT / cloudfront.lstrip("/")
    assert (local if local is not None else WEB_ROOT / path.lstrip("/")) == expected


def test_every_advisory_link_opens_the_advisory_page(sam: dict[str, Any]) -> None:
    page = WEB_ROOT / "advisory" / "index.html"
    assert page.is_file()
    # What messages link to: an SMS's short reference, an email's advisory id.
    for link in ("/a/caf7ae85", "/a/mfa-kg-6f1c2a4e3b7d4c8e9a51", "/a/cap-1234.5:x/y"):
        assert page_file(link) == page, link
    [(patterns, target)] = [r for r in cloudfront_routes(sam) if r[1].startswith("/advisory/")]
    assert target == "/advisory/index.html"
    assert all(re.match(patterns[0], link) for link in ("/a/caf7ae85", "/a/cap-1234.5:x/y"))


def test_the_advisory_read_is_public_on_the_citizen_api_and_throttled_loosely(
    sam: dict[str, Any],
) -> None:
    function = resource(sam, "PublicAdvisoryFunction")
    (route,) = function["Events"].values()
    assert route["Properties"] == {
        "RestApiId": {"Ref": "CitizenApi"},
        "Path": "/advisories/{advisory_id}",
        "Method": "GET",
    }
    assert "Auth" not in resource(sam, "CitizenApi")  # no authorizer: advisories are public
    statements = [s for p in function["Policies"] for s in p["Statement"]]
    assert sorted(a for s in statements for a in s["Action"]) == [
        "dynamodb:GetItem",
        "dynamodb:Query",
    ]
    settings = {
        (s["ResourcePath"], s["HttpMethod"]): s
        for s in resource(sam, "CitizenApi")["MethodSettings"]
    }
    read = settings[("/~1advisories~1{advisory_id}", "GET")]
    assert read["ThrottlingRateLimit"] > settings[("/*", "*")]["ThrottlingRateLimit"]


SITE = {
    "Fn::If": [
        "HasPublicBaseUrl",
        {"Ref": "PublicBaseUrl"},
        {"Fn::Sub": "https://${WebDistribution.DomainName}"},
    ]
}


def test_the_apis_let_only_the_site_read_them(sam: dict[str, Any]) -> None:
    cfn = translate(sam)
    for api in ("CitizenApi", "PublisherApi"):
        # The site is the stage's siteUrl: the domain given, else the distribution's own.
        (stage,) = [
            r["Properties"]
            for r in cfn["Resources"].values()
            if r["Type"] == "AWS::ApiGateway::Stage" and r["Properties"]["RestApiId"]["Ref"] == api
        ]
        assert stage["Variables"] == {"siteUrl": SITE}
        body = cfn["Resources"][api]["Properties"]["Body"]
        preflights = [item["options"] for item in body["paths"].values() if "options" in item]
        assert preflights, api
        for preflight in preflights:  # API Gateway answers them (mock), with that origin only
            mapping = preflight["x-amazon-apigateway-integration"]["responses"]["default"]
            allowed = mapping["responseParameters"][
                "method.response.header.Access-Control-Allow-Origin"
            ]
            assert allowed == "stageVariables.siteUrl"
        for response in ("DEFAULT_4XX", "DEFAULT_5XX"):  # the page can read why
            headers = body["x-amazon-apigateway-gateway-responses"][response]["responseParameters"]
            assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == (
                "stageVariables.siteUrl"
            )
    assert resource(sam, "PublisherApi")["Auth"]["AddDefaultAuthorizerToCorsPreflight"] is False
    # Preflights only: every other publisher method keeps the IAM authorizer.
    methods = [
        r["Properties"]
        for r in cfn["Resources"].values()
        if r["Type"] == "AWS::ApiGateway::RestApi" and "Body" in r["Properties"]
    ]
    for body in (m["Body"] for m in methods):
        for path, operations in body["paths"].items():
            for method, operation in operations.items():
                if method == "post" and path == "/advisories":
                    assert operation["security"] == [{"AWS_IAM": []}]


def test_ingest_may_only_read_segment_topic_attributes(sam: dict[str, Any]) -> None:
    statements = [
        statement
        for policy in resource(sam, "IngestFunction")["Policies"]
        if isinstance(policy, dict) and "Statement" in policy
        for statement in policy["Statement"]
    ]
    sns = [s for s in statements if any(a.startswith("sns:") for a in s["Action"])]
    assert [s["Action"] for s in sns] == [["sns:GetTopicAttributes"]]
    assert sns[0]["Resource"]["Fn::Sub"].endswith(":${AWS::StackName}-seg-*")


def test_local_stack_leaves_cloudfront_to_the_local_runtime(stack: DeployedStack) -> None:
    assert "WebBucket" in stack.resources  # moto creates the bucket
    for dropped in ("WebDistribution", "WebRoutes", "WebSecurityHeaders", "WebBucketPolicy"):
        assert dropped not in stack.resources
