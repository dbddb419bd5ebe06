"""The site bucket's public files (CAP documents and feeds) behind the SiteFiles port."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from consular_alerts.adapters.errors import error_code, translate_errors
from consular_alerts.domain.alerts_out.site_file import SiteFile
from consular_alerts.services.ports import StoredFile

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# S3 answers a missing key with AccessDenied to a caller not allowed s3:ListBucket, which the
# function is not: read as "no such file". Safe, because the one file read (the index) is
# only ever created with If-None-Match: a real refusal cannot overwrite it.
_ABSENT = frozenset({"NoSuchKey", "404", "AccessDenied"})
# A conditional write that lost to another writer (412), or raced one in flight (409).
_LOST = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict", "409"})


class S3SiteFiles:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    @translate_errors("S3 site file read")
    def read(self, key: str) -> StoredFile | None:
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error_code(error) in _ABSENT:
                return None
            raise
        return StoredFile(response["Body"].read(), response["ETag"])

    @translate_errors("S3 site file write")
    def write(self, file: SiteFile) -> None:
        self._client.put_object(
            Bucket=self._bucket,
            Key=file.key,
            Body=file.body,
            ContentType=file.content_type,
            CacheControl=file.cache_control,
        )

    @translate_errors("S3 site file replace")
    def replace(self, file: SiteFile, etag: str | None) -> bool:
        try:
            if etag is None:
                self._client.put_object(
                    Bucket=self._bucket,
                    Key=file.key,
                    Body=file.body,
                    ContentType=file.content_type,
                    CacheControl=file.cache_control,
                    IfNoneMatch="*",
                )
            else:
                self._client.put_object(
                    Bucket=self._bucket,
                    Key=file.key,
                    Body=file.body,
                    ContentType=file.content_type,
                    CacheControl=file.cache_control,
                    IfMatch=etag,
                )
        except ClientError as error:
            if error_code(error) in _LOST:
                return False
            raise
        return True
