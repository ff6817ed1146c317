#!/usr/bin/env bash
# Regenerate sourcing/v1 from proto/sourcing/v1/*.proto with the pinned
# grpcio-tools. With --check, generate into a temporary folder and fail if the
# committed code differs from it.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
protos=(proto/sourcing/v1/*.proto)
if [ ${#protos[@]} -eq 0 ]; then
  echo "no proto files yet"
  exit 0
fi
root=.
if [ "${1:-}" = "--check" ]; then
  root=$(mktemp -d)
fi
# protoc writes sourcing/v1/... below the output root, so imports are absolute.
python -m grpc_tools.protoc -Iproto \
  --python_out="$root" --pyi_out="$root" --grpc_python_out="$root" \
  "${protos[@]}"
if [ "$root" != "." ]; then
  if diff -r -x __pycache__ -x __init__.py "$root/sourcing/v1" sourcing/v1; then
    echo "generated code is current"
  else
    echo "generated code under sourcing/v1 is stale: run scripts/gen_proto.sh" >&2
    exit 1
  fi
fi
