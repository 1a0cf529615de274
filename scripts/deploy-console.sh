#!/usr/bin/env bash
# Builds the web console and puts it in a deployed stack's console bucket, where the
# stack's CloudFront distribution serves it (with the API on the same origin).
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: scripts/deploy-console.sh STACK_NAME
       SLUICE_CONSOLE_BUCKET=… [SLUICE_CONSOLE_DISTRIBUTION=…] scripts/deploy-console.sh

Builds console/ (npm ci, vite build) and uploads console/dist to the stack's
ConsoleBucket with the AWS CLI: the hashed files under assets/ first, cached a year
as immutable, then the rest, index.html last, revalidated on every load (no-cache);
then invalidates index.html in the ConsoleDistribution. The bucket and distribution
come from the stack's outputs, or from the variables.
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
if [[ -n "${1:-}" ]]; then
    output() {
        aws cloudformation describe-stacks --stack-name "$1" \
            --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
    }
    bucket="$(output "$1" ConsoleBucketName)"
    distribution="$(output "$1" ConsoleDistributionId)"
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
aws s3 cp "$dist/index.html" "s3://$bucket/index.html" --only-show-errors \
    --cache-control "no-cache" --content-type "text/html; charset=utf-8"
if [[ "${SLUICE_CONSOLE_PRUNE:-}" == 1 && -d "$dist/assets" ]]; then
    aws s3 sync "$dist/assets" "s3://$bucket/assets" --only-show-errors --delete \
        --cache-control "public, max-age=31536000, immutable"
fi
if [[ -n "$distribution" && "$distribution" != "None" ]]; then
    aws cloudfront create-invalidation --distribution-id "$distribution" \
        --paths /index.html / --query Invalidation.Id --output text >/dev/null
fi
echo "deploy-console: $dist is in s3://$bucket${distribution:+ (distribution $distribution: index.html invalidated)}"
