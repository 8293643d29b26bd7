#!/usr/bin/env bash
# `npm run setup`: install what the tests need beyond node_modules, on Debian/Ubuntu, where it is missing:
# Chromium (the end-to-end tests; Playwright never downloads its own browser here), PyTorch (the parity,
# training and torchrun tests, which never skip) and Fashion-MNIST (Debian's dataset-fashion-mnist: the
# data.fashion_mnist node and its tests read /usr/share/datasets/fashion-mnist) and the Vulkan loader (the webgpu
# backend's tests run Dawn on Chromium's SwiftShader Vulkan driver, which comes with Chromium). It says what it installs
# before it does; elsewhere it says what to install by hand. Used by .ci/run too (one source of truth).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch libopenblas0-pthread)
[ -e /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ] || need+=(dataset-fashion-mnist)
/sbin/ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || need+=(libvulkan1)
if [ ${#need[@]} -eq 0 ]; then
  echo "setup: Chromium, PyTorch, Fashion-MNIST and the Vulkan loader are installed; nothing to do."
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing ${need[*]}; this is not Debian/Ubuntu, so install by hand: Chromium (set CHROMIUM_PATH to it)" >&2
  echo "setup: PyTorch for /usr/bin/python3 (pip install torch), and Fashion-MNIST's gzipped IDX files in" >&2
  echo "setup: /usr/share/datasets/fashion-mnist (github.com/zalandoresearch/fashion-mnist, data/fashion)." >&2
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
