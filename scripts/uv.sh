#!/usr/bin/env bash
# Runs uv, whether it is on PATH or was installed by scripts/bootstrap.sh into ~/.local/bin.
set -euo pipefail
export UV_PYTHON_DOWNLOADS=never
if command -v uv >/dev/null 2>&1; then exec uv "$@"; fi
if [ -x "$HOME/.local/bin/uv" ]; then exec "$HOME/.local/bin/uv" "$@"; fi
echo "uv is not installed: run scripts/bootstrap.sh" >&2
exit 1
