#!/usr/bin/env bash
# Builds the web console and puts it in a deployed stack's console bucket, where the
# stack's CloudFront distribution serves it (with the API on the same origin).
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/deploy-console.sh STACK_NAME
       SLUICE_CONSOLE_BUCKET=… [SLUICE_CONSOLE_DISTRIBUTION=…] [SLUICE_CONSOLE_LIVE_URL=wss://…] scripts/deploy-console.sh

Builds console/ (npm ci, vite build) and uploads console/dist to the stack's
ConsoleBucket with the AWS CLI: the hashed files under assets/ first, cached a year
as immutable, then the rest, then config.json, index.html last, both revalidated on
every load (no-cache); then invalidates them in the ConsoleDistribution. The bucket,
distribution and WebSocket API come from the stack's outputs, or from the variables.
config.json is the console's runtime config: {"live_url": the stack's WebSocketUrl}
(SLUICE_CONSOLE_LIVE_URL without a stack), where the run monitor follows runs; the
stack's HTTP API has no event stream of its own.
Assets of earlier builds stay (a page opened before still loads its screens);
SLUICE_CONSOLE_PRUNE=1 deletes the ones this build does not have.
SLUICE_CONSOLE_DIST=DIR uploads DIR as it is instead of building.
USAGE
}

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    usage
    exit 0
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bucket="${SLUICE_CONSOLE_BUCKET:-}"
distribution="${SLUICE_CONSOLE_DISTRIBUTION:-}"
live_url="${SLUICE_CONSOLE_LIVE_URL:-}"
if [[ -n "${1:-}" ]]; then
    output() {
        aws cloudformation describe-stacks --stack-name "$1" \
            --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
    }
    bucket="$(output "$1" ConsoleBucketName)"
    distribution="$(output "$1" ConsoleDistributionId)"
    live_url="$(output "$1" WebSocketUrl)"
fi
if [[ "$live_url" == "None" ]]; then
    live_url=""
fi
if [[ -n "$live_url" && ! "$live_url" =~ ^wss://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~-]+)*$ ]]; then
    echo "deploy-console: the WebSocket URL $live_url is not a wss:// URL" >&2
    exit 1
fi
if [[ -z "$bucket" || "$bucket" == "None" ]]; then
    usage >&2
    exit 2
fi

dist="${SLUICE_CONSOLE_DIST:-}"
if [[ -z "$dist" ]]; then
    (cd "$root/console" && npm ci --no-audit --no-fund && npm run build)
    dist="$root/console/dist"
fi
if [[ ! -f "$dist/index.html" ]]; then
    echo "deploy-console: $dist has no index.html" >&2
    exit 1
fi

# Content-addressed files: a new build names new ones, so these never change.
if [[ -d "$dist/assets" ]]; then
    aws s3 sync "$dist/assets" "s3://$bucket/assets" --only-show-errors \
        --cache-control "public, max-age=31536000, immutable"
fi
# Everything else, then the page that names the new assets.
aws s3 sync "$dist" "s3://$bucket" --only-show-errors --exclude "assets/*" --exclude index.html \
    --cache-control "no-cache"
# The runtime config the console reads at start; without a WebSocket API, none
# (the console then uses the API's own event stream, or polls).
config="$(mktemp)"
trap 'rm -f "$config"' EXIT
if [[ -n "$live_url" ]]; then
    printf '{"live_url":"%s"}\n' "$live_url" >"$config"
    aws s3 cp "$config" "s3://$bucket/config.json" --only-show-errors \
        --cache-control "no-cache" --content-type "application/json"
else
    aws s3 rm "s3://$bucket/config.json" --only-show-errors
fi
aws s3 cp "$dist/index.html" "s3://$bucket/index.html" --only-show-errors \
    --cache-control "no-cache" --content-type "text/html; charset=utf-8"
if [[ "${SLUICE_CONSOLE_PRUNE:-}" == 1 && -d "$dist/assets" ]]; then
    aws s3 sync "$dist/assets" "s3://$bucket/assets" --only-show-errors --delete \
        --cache-control "public, max-age=31536000, immutable"
fi
if [[ -n "$distribution" && "$distribution" != "None" ]]; then
    aws cloudfront create-invalidation --distribution-id "$distribution" \
        --paths /index.html / /config.json --query Invalidation.Id --output text >/dev/null
fi
echo "deploy-console: $dist is in s3://$bucket${live_url:+, runs followed live on $live_url}${distribution:+ (distribution $distribution: index.html and config.json invalidated)}"
