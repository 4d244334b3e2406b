#!/usr/bin/env bash
# Let the CLI do the exchange itself: the standard web-identity variables plus AWS_ENDPOINT_URL_STS.
# The same exports work for boto3 and the JavaScript SDK v3. Inputs: STS_ENDPOINT, TOKEN_FILE.
# Needs AWS CLI v1 (botocore >= 1.31) or v2 >= 2.13: Debian's aws-cli 2.9 ignores AWS_ENDPOINT_URL_STS
# and would send the token to the real AWS STS (use aws-cli-explicit.sh there).
set -euo pipefail
export AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL_STS="$STS_ENDPOINT"
export AWS_WEB_IDENTITY_TOKEN_FILE="$TOKEN_FILE"
export AWS_ROLE_ARN=arn:aws:iam::123456789012:role/deploy-main
export AWS_ROLE_SESSION_NAME=readme-env

aws sts get-caller-identity
