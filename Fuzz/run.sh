#!/usr/bin/env bash
# Builds each libFuzzer target with -sanitize=fuzzer,address and runs it for a
# bounded time over its committed seed corpus (Fuzz/corpus/<target>).
# Usage: Fuzz/run.sh [SECONDS-PER-TARGET (default 30)] [TARGET…]
# Prints `fuzz: N passed, M failed`; exits non-zero when a target fails.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="/opt/swift/usr/bin:$PATH"
seconds=${1:-30}; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frame-decoder wire-decoder smtp-session)
out="$root/.build/fuzz"
mkdir -p "$out"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6)

api_messages() { # the API message sources, without the method tables (they need PurserRPC)
  ls "$root"/Shared/PurserAPI/Wallet/*.swift "$root"/Shared/PurserAPI/Identity/*.swift | grep -v 'Methods\.swift$'
}

build() { # build TARGET: writes $out/TARGET
  case "$1" in
    frame-decoder)
      swiftc "${flags[@]}" -module-name FrameDecoderFuzz -o "$out/$1" "$root/Fuzz/FrameDecoder/"*.swift \
        "$root"/Shared/PurserRPC/{Frame,Frame+Encoding,FrameDecoder,FrameError,Metadata,StatusCode}.swift ;;
    wire-decoder)
      swiftc "${flags[@]}" -module-name PurserWire -emit-module -emit-module-path "$out/wire/PurserWire.swiftmodule" \
        -emit-library -static -o "$out/wire/libPurserWire.a" "$root"/Shared/PurserWire/*.swift &&
      swiftc "${flags[@]}" -module-name WireDecoderFuzz -I "$out/wire" -L "$out/wire" -lPurserWire -o "$out/$1" \
        "$root/Fuzz/WireDecoder/"*.swift $(api_messages) ;;
    smtp-session)
      swiftc "${flags[@]}" -module-name SMTPSessionFuzz -o "$out/$1" "$root/Fuzz/SMTPSession/"*.swift \
        "$root"/Services/EmailAlias/Sources/PurserEmail/*.swift ;;
    *) echo "fuzz: unknown target $1" >&2; return 1 ;;
  esac
}

passed=0 failed=0
for target in "${targets[@]}"; do
  mkdir -p "$out/wire" "$out/$target.corpus" "$out/$target.artifacts"
  rm -f "$out/$target"
  build "$target" 2>&1 | grep -aE 'error' >&2
  if [ ! -x "$out/$target" ]; then
    echo "fuzz: $target did not build" >&2; failed=$((failed + 1)); continue
  fi
  log="$out/$target.log"
  if timeout $((seconds + 60)) "$out/$target" "$out/$target.corpus" "$root/Fuzz/corpus/$target" \
      -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
      -artifact_prefix="$out/$target.artifacts/" > "$log" 2>&1; then
    echo "fuzz: $target passed ($(grep -aoE 'Done [0-9]+ runs' "$log" | tail -1))"
    passed=$((passed + 1))
  else
    echo "fuzz: $target FAILED (log $log, reproducer in $out/$target.artifacts/)"
    grep -aE 'ERROR|Fatal|precondition|SUMMARY' "$log" | head -5
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
