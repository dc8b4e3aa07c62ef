#!/usr/bin/env bash
# Builds each libFuzzer target with -sanitize=fuzzer,address (only when a source
# changed) and runs it for a bounded time over its committed seed corpus
# (Tests/Fuzz/corpus/<target>). The whole step, builds included, stays within
# PURSER_FUZZ_BUDGET seconds (default 180): targets get SECONDS each, less when
# the builds took long, but never under 5 s.
# Usage: Tests/Fuzz/run.sh [SECONDS-PER-TARGET (default 30)] [TARGET…]
# Prints `fuzz: N passed, M failed`; exits non-zero when a target fails.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PATH="/opt/swift/usr/bin:$PATH"
seconds=${1:-30}; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frame-decoder wire-decoder smtp-session http-parser)
out="$root/.build/fuzz"
mkdir -p "$out"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 -package-name Purser)

api_messages() { # the Wallet's and Identity's messages, without the method tables (they need PurserRPC)
  ls "$root"/Shared/PurserAPI/Generated/{wallet,identity}.pb.swift "$root"/Shared/PurserAPI/{Wallet,Identity}/*.swift
}

http_parser_sources() { # the pure parser sources of PurserHTTP (no sockets, no PurserRPC)
  local name
  for name in HTTPRequestParser HTTPResponseParser HTTPHeadReader HTTPBodyDecoder HTTPBodyFraming HTTPByteBuffer \
      HTTPSyntax HTTPHeaders HTTPStatus HTTPParseError HTTPRequestHead; do
    echo "$root/Shared/PurserHTTP/$name.swift"
  done
}

build() { # build TARGET: writes $out/TARGET
  case "$1" in
    frame-decoder)
      swiftc "${flags[@]}" -module-name FrameDecoderFuzz -o "$out/$1" "$root/Tests/Fuzz/FrameDecoder/"*.swift \
        "$root"/Shared/PurserRPC/{Frame,Frame+Encoding,FrameDecoder,FrameError,Metadata,StatusCode}.swift ;;
    wire-decoder)
      swiftc "${flags[@]}" -module-name PurserWire -emit-module -emit-module-path "$out/wire/PurserWire.swiftmodule" \
        -emit-library -static -o "$out/wire/libPurserWire.a" "$root"/Shared/PurserWire/*.swift &&
      swiftc "${flags[@]}" -module-name WireDecoderFuzz -I "$out/wire" -L "$out/wire" -lPurserWire -o "$out/$1" \
        "$root/Tests/Fuzz/WireDecoder/"*.swift $(api_messages) ;;
    smtp-session)
      swiftc "${flags[@]}" -module-name SMTPSessionFuzz -o "$out/$1" "$root/Tests/Fuzz/SMTPSession/"*.swift \
        "$root"/Services/EmailAlias/Sources/PurserEmail/*.swift ;;
    http-parser)
      swiftc "${flags[@]}" -module-name HTTPParserFuzz -o "$out/$1" "$root/Tests/Fuzz/HTTPParser/"*.swift $(http_parser_sources) ;;
    *) echo "fuzz: unknown target $1" >&2; return 1 ;;
  esac
}

sources_of() { # the directories whose sources make up TARGET
  case "$1" in
    frame-decoder) echo "$root/Tests/Fuzz/FrameDecoder $root/Shared/PurserRPC" ;;
    wire-decoder) echo "$root/Tests/Fuzz/WireDecoder $root/Shared/PurserWire $root/Shared/PurserAPI" ;;
    smtp-session) echo "$root/Tests/Fuzz/SMTPSession $root/Services/EmailAlias/Sources/PurserEmail" ;;
    http-parser) echo "$root/Tests/Fuzz/HTTPParser $root/Shared/PurserHTTP" ;;
  esac
}

budget=${PURSER_FUZZ_BUDGET:-180}
passed=0 failed=0 runnable=()
for target in "${targets[@]}"; do
  mkdir -p "$out/wire" "$out/$target.corpus" "$out/$target.artifacts"
  # shellcheck disable=SC2046
  if [ -x "$out/$target" ] && [ -z "$(find $(sources_of "$target") "$root/Tests/Fuzz/run.sh" -name '*.swift' -newer "$out/$target" -o -name run.sh -newer "$out/$target" | head -1)" ]; then
    runnable+=("$target"); continue
  fi
  rm -f "$out/$target"
  build "$target" 2>&1 | grep -aE 'error' >&2
  if [ -x "$out/$target" ]; then
    runnable+=("$target")
  else
    echo "fuzz: $target did not build" >&2; failed=$((failed + 1))
  fi
done
left=${#runnable[@]}
for target in "${runnable[@]}"; do
  share=$(( (budget - SECONDS - 5 * left) / left ))
  run_for=$(( share < seconds ? share : seconds ))
  [ "$run_for" -ge 5 ] || run_for=5
  left=$((left - 1))
  log="$out/$target.log"
  if timeout $((run_for + 30)) "$out/$target" "$out/$target.corpus" "$root/Tests/Fuzz/corpus/$target" \
      -max_total_time="$run_for" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
      -artifact_prefix="$out/$target.artifacts/" > "$log" 2>&1; then
    echo "fuzz: $target passed ($(grep -aoE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)s)"
    passed=$((passed + 1))
  else
    echo "fuzz: $target FAILED (log $log, reproducer in $out/$target.artifacts/)"
    grep -aE 'ERROR|Fatal|precondition|SUMMARY' "$log" | head -5
    failed=$((failed + 1))
  fi
done
echo "fuzz: builds and runs took ${SECONDS} s"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
