"""The CI deploy job's S3 stand-in (moto's server): wait for it, create a versioned bucket."""

import sys
import time

import boto3
import botocore.exceptions

endpoint, command, *args = sys.argv[1:]
client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
if command == "wait":
    deadline = time.monotonic() + 30
    while True:
        try:
            client.list_buckets()
            break
        except (botocore.exceptions.EndpointConnectionError, ConnectionError):
            if time.monotonic() > deadline:
                sys.exit("moto server did not start")
            time.sleep(0.3)
elif command == "create":
    client.create_bucket(Bucket=args[0])
    client.put_bucket_versioning(Bucket=args[0], VersioningConfiguration={"Status": "Enabled"})
    print(f"bucket {args[0]} (versioning on)")
