# boto3's own web-identity provider, pointed at the emulator by AWS_ENDPOINT_URL_STS (botocore >= 1.31).
# Usually these are exported by the CI job; set here to keep the example whole. Inputs: STS_ENDPOINT, TOKEN_FILE.
import os

import boto3

os.environ["AWS_ENDPOINT_URL_STS"] = os.environ["STS_ENDPOINT"]
os.environ["AWS_WEB_IDENTITY_TOKEN_FILE"] = os.environ["TOKEN_FILE"]
os.environ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/deploy-main"
os.environ["AWS_ROLE_SESSION_NAME"] = "readme-boto3-env"

session = boto3.Session(region_name="us-east-1")
print(session.client("sts").get_caller_identity()["Arn"])
