# Exchange a token with the emulator from Python, then use the temporary credentials.
# Inputs: STS_ENDPOINT, TOKEN_FILE.
import os

import boto3

endpoint = os.environ["STS_ENDPOINT"]
with open(os.environ["TOKEN_FILE"]) as f:
    token = f.read().strip()

sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")
creds = sts.assume_role_with_web_identity(
    RoleArn="arn:aws:iam::123456789012:role/deploy-main",
    RoleSessionName="readme-boto3",
    WebIdentityToken=token,
    DurationSeconds=3600,
)["Credentials"]

session = boto3.Session(
    aws_access_key_id=creds["AccessKeyId"],
    aws_secret_access_key=creds["SecretAccessKey"],
    aws_session_token=creds["SessionToken"],
    region_name="us-east-1",
)
print(session.client("sts", endpoint_url=endpoint).get_caller_identity()["Arn"])
