#!/usr/bin/env bash
# Installs every build and test dependency of phusong from Debian 12 packages.
# Idempotent: packages already present are skipped by apt-get; safe to run repeatedly.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libgdal-dev gdal-bin
  libeigen3-dev
  libboost-dev
  coinor-libcbc-dev
  libyaml-cpp-dev
  libcli11-dev
  nlohmann-json3-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libopenmpi-dev openmpi-bin
  python3
  splat
  nodejs npm
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm may come from elsewhere (a newer node on PATH): only ask apt when absent.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  kept=()
  for p in "${missing[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || kept+=("$p"); done
  missing=("${kept[@]}")
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all Debian dependencies already installed"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The report's front-end packages from the npm registry, pinned by web/package-lock.json:
# Leaflet (embedded into the binary at build time) and playwright-core (drives chromium in the
# report test). Installed here, never during the build.
cd "$(dirname "$0")/../web"
if [ ! -f node_modules/leaflet/dist/leaflet.js ] || [ ! -f node_modules/playwright-core/package.json ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci in web/ (leaflet, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: done"
