#!/usr/bin/env bash
# Exchange a token with the emulator explicitly, then call AWS with the temporary credentials.
# Works with every AWS CLI (v1, and v2 including Debian's 2.9). Inputs: STS_ENDPOINT, TOKEN_FILE.
set -euo pipefail
export AWS_DEFAULT_REGION=us-east-1

creds=$(aws sts assume-role-with-web-identity \
  --endpoint-url "$STS_ENDPOINT" \
  --role-arn arn:aws:iam::123456789012:role/deploy-main \
  --role-session-name readme-cli \
  --web-identity-token "$(cat "$TOKEN_FILE")" \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<<"$creds"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

aws sts get-caller-identity --endpoint-url "$STS_ENDPOINT"
