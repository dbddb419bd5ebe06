"""The CAP documents and feeds in the site bucket, served by `alerts serve` as the site's
CloudFront distribution serves them deployed (template.yaml: WebDistribution in front of
WebBucket), with the same headers as the pages and conditional GET on the ETag."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import boto3
from botocore.exceptions import ClientError

from alerts_local.stack import DeployedStack
from alerts_local.web import SECURITY_HEADERS

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# What the CAP feed function writes (its IAM policy allows these prefixes only).
SERVED_PREFIXES = ("/cap/", "/feeds/")


@cache
def _s3(endpoint_url: str, region: str) -> S3Client:
    client: S3Client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)
    return client


def bucket_response(
    stack: DeployedStack, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes] | None:
    """The file at `path` from the site bucket; None when the path is not one of its."""
    if not path.startswith(SERVED_PREFIXES) or ".." in path:
        return None
    key = unquote(path).lstrip("/")
    wanted = headers.get("if-none-match", "")
    extra: dict[str, Any] = {"IfNoneMatch": wanted} if wanted else {}
    try:
        found = _s3(stack.endpoint_url, stack.region).get_object(
            Bucket=stack.resources["WebBucket"], Key=key, **extra
        )
    except ClientError as error:
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        code = str(error.response.get("Error", {}).get("Code", ""))
        if status == 304 or code == "304":
            return 304, {"ETag": wanted}, b""
        if code in {"NoSuchKey", "404"}:
            return 404, {"Content-Type": "text/plain; charset=utf-8"}, f"no {path}".encode()
        raise
    served = {
        **SECURITY_HEADERS,
        "Content-Type": found.get("ContentType", "application/octet-stream"),
        "Cache-Control": found.get("CacheControl", "no-cache"),
        "ETag": found["ETag"],
        "Last-Modified": found["LastModified"].strftime("%a, %d %b %Y %H:%M:%S GMT"),
    }
    return 200, served, found["Body"].read()
