"""Where generated media live: the S3-compatible store that settings use when MEDIA_S3_BUCKET is
set (django-storages), shared by every web and worker machine."""

from typing import Any

from config.env import env_int, env_str


def s3_media_storage(bucket: str) -> dict[str, Any]:
    """STORAGES["default"] for a bucket, from the MEDIA_S3_* settings. Links are signed and
    expire (MEDIA_URL_EXPIRE_SECONDS), so the bucket stays private: a prospect's video is
    reachable only through the page that links it."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": env_str("MEDIA_S3_PREFIX", ""),
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("MEDIA_S3_REGION", "") or None,
            # Unset: boto3's own chain (AWS_ACCESS_KEY_ID..., an instance role).
            "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY", "") or None,
            "querystring_auth": True,
            "querystring_expire": env_int("MEDIA_URL_EXPIRE_SECONDS", 6 * 60 * 60),
            "default_acl": None,
            "file_overwrite": True,
            "signature_version": "s3v4",
        },
    }
