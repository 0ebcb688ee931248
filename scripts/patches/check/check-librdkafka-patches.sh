#!/usr/bin/env bash
# Shows what scripts/patches fixes: builds librdkafka 2.8.0 with AddressSanitizer
# twice (as shipped, and with our patches), and runs topic-recreated.c against
# each while its Tansu broker is killed and restarted three times and the topic
# created again after each restart. Prints the AddressSanitizer reports per build.
# Not part of the test suite (two instrumented builds take a few minutes).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
cd "$ROOT"
bash scripts/setup.sh
work="$RUN_DIR/librdkafka-patch-check"
rm -rf "$work"; mkdir -p "$work"
(cd "$work" && apt-get source -qq librdkafka/trixie >/dev/null 2>&1)
src=$(find "$work" -maxdepth 1 -type d -name "librdkafka-2.8.0")
[ -n "$src" ] || { echo "apt-get source librdkafka/trixie failed"; exit 1; }

build() {  # name, then patch files
  local name=$1; shift
  cp -r "$src" "$work/src-$name"
  for p in "$@"; do (cd "$work/src-$name" && patch -p1 --quiet <"$p"); done
  (cd "$work/src-$name" &&
    CFLAGS="-fsanitize=address -fno-omit-frame-pointer -g -O1" LDFLAGS="-fsanitize=address" \
      ./configure --prefix="$work/$name" >/dev/null 2>&1 &&
    make -j"$(nproc)" -C src >/dev/null 2>&1 && make -C src install >/dev/null 2>&1)
  gcc -fsanitize=address -g -I"$work/$name/include" scripts/patches/check/topic-recreated.c \
    -o "$work/topic-recreated-$name" -L"$work/$name/lib" -lrdkafka -Wl,-rpath,"$work/$name/lib"
}
echo "[check] building librdkafka 2.8.0 with AddressSanitizer, as shipped and patched…"
build shipped & build patched "$ROOT"/scripts/patches/librdkafka-2.8.0-*.patch & wait
[ -x "$work/topic-recreated-shipped" ] && [ -x "$work/topic-recreated-patched" ] || { echo "[check] a build failed"; exit 1; }

run() {  # name
  local port; port=$(free_port)
  # The broker is started, killed and restarted by the feeding side of the pipe,
  # which goes on (and stops its broker) even when the client has crashed.
  {
    set +e; trap '' PIPE
    tansu() { .deps/tansu/tansu broker --listener-url "tcp://127.0.0.1:$port" \
      --advertised-listener-url "tcp://127.0.0.1:$port" >/dev/null 2>&1 & pid=$!; wait_for_port "$port" 20; }
    tansu
    echo create; sleep 1; echo produce; sleep 1
    for _ in 1 2 3; do
      kill -9 "$pid"; wait "$pid" 2>/dev/null || true
      tansu
      echo create; sleep 3; echo produce; sleep 2
    done
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  } 2>/dev/null | ASAN_OPTIONS=detect_leaks=0 "$work/topic-recreated-$1" "127.0.0.1:$port" >"$work/$1.log" 2>&1 || true
  echo "[check] $1: $(grep -c 'ERROR: AddressSanitizer' "$work/$1.log" || true) AddressSanitizer report(s)" \
    "$(grep -m1 -o 'heap-use-after-free' "$work/$1.log" || true)" \
    "$(grep -m1 -oE 'in rd_kafka_metadata_cache_insert [^ ]+' "$work/$1.log" || true)"
}
run shipped
run patched
