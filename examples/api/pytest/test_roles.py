"""Trust-policy regressions with boto3 against the emulator started by the sts_endpoint fixture (conftest.py)."""
import boto3
import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/deploy-main"


def assume(endpoint, token):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")
    return sts.assume_role_with_web_identity(RoleArn=ROLE, RoleSessionName="pytest", WebIdentityToken=token)


def test_main_may_deploy(sts_endpoint, mint):
    out = assume(sts_endpoint, mint("main"))
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_feature_branches_may_not(sts_endpoint, mint):
    with pytest.raises(ClientError) as err:
        assume(sts_endpoint, mint("feature/x"))
    assert err.value.response["Error"]["Code"] == "AccessDenied"
