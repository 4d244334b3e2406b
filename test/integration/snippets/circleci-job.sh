#!/usr/bin/env bash
# A CircleCI job step that assumes a role with the job's OIDC token, sent to the emulator.
# In CircleCI, CIRCLE_OIDC_TOKEN_V2 holds the job's token; elsewhere it is read from TOKEN_FILE.
# Inputs: STS_ENDPOINT, TOKEN_FILE (or CIRCLE_OIDC_TOKEN_V2).
set -euo pipefail
CIRCLE_OIDC_TOKEN_V2="${CIRCLE_OIDC_TOKEN_V2:-$(cat "$TOKEN_FILE")}"
export AWS_DEFAULT_REGION=us-east-1
export AWS_ROLE_ARN=arn:aws:iam::123456789012:role/deploy-main
export AWS_ROLE_SESSION_NAME="${CIRCLE_JOB:-deploy}"

# Write the token to a temporary file, as the CircleCI docs do.
token_file="$(mktemp)"
trap 'rm -f "$token_file"' EXIT
echo "$CIRCLE_OIDC_TOKEN_V2" > "$token_file"

creds=$(aws sts assume-role-with-web-identity \
  --endpoint-url "$STS_ENDPOINT" \
  --role-arn "$AWS_ROLE_ARN" \
  --role-session-name "$AWS_ROLE_SESSION_NAME" \
  --web-identity-token "$(cat "$token_file")" \
  --duration-seconds 3600 \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<<"$creds"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

aws sts get-caller-identity --endpoint-url "$STS_ENDPOINT"
