#!/usr/bin/env bash
# `npm run setup`: install what the tests need beyond node_modules, on Debian/Ubuntu, where it is missing:
# Chromium (the end-to-end tests; Playwright never downloads its own browser here) and PyTorch (the parity,
# training and torchrun tests, which never skip). It says what it installs before it does; elsewhere it says what
# to install by hand. Used by .ci/run too (one source of truth).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch libopenblas0-pthread)
if [ ${#need[@]} -eq 0 ]; then
  echo "setup: Chromium and PyTorch are installed; nothing to do."
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing ${need[*]}; this is not Debian/Ubuntu, so install by hand: Chromium (set CHROMIUM_PATH to it)" >&2
  echo "setup: and PyTorch for /usr/bin/python3 (pip install torch)." >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup: run as root (or install sudo) to apt-get install ${need[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "setup: installing with apt-get: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
/usr/bin/python3 -c 'import torch; print("setup: torch", torch.__version__)'
echo "setup: done."
