#!/usr/bin/env bash
# Sets up everything pmo needs to run: uv (installed when missing) and the locked environment.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
if ! command -v uv >/dev/null 2>&1 && [ ! -x "$HOME/.local/bin/uv" ]; then
  echo "Installing uv..."
  python3 -m pip install --user --quiet uv || python3 -m pip install --quiet --break-system-packages --user uv
fi
scripts/uv.sh sync --frozen --quiet --python python3
mkdir -p var
