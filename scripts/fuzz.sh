#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ and runs each one for a set time, one after another.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; TARGET is any of the names below (default: all of them). Each target starts
# from the committed seeds in Fuzz/Corpus/<target> and the corpus earlier runs grew (Fuzz/.build-fuzz/corpus/),
# stops after the time or at its first crash, and writes the crashing input to Fuzz/Crashes/<target>/. The script
# prints a table (target, seconds, runs, exec/s, coverage, crashes) and exits 1 if any target crashed.
#
# A crash found here is minimised with -minimize_crash=1 (the command is printed), fixed in the codec, and the
# minimised input added to Tests/Fixtures/FuzzRegressions/<target>/, which the normal tests replay.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
all_targets=(postgres mysql redis tds tns mongodb drda os passive packet)

seconds=${1:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2; }
shift $(($# > 0 ? 1 : 0))
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $target "* ]] || { echo "unknown target '$target' (${all_targets[*]})" >&2; exit 2; }
done

scratch="$root/Fuzz/.build-fuzz"
# -sanitize=fuzzer instruments every module for coverage and links libFuzzer; each target's own main hands over
# to it (FuzzDriver), since SwiftPM renames an executable's main and libFuzzer's could never run.
build=(swift build -c release --package-path "$root/Fuzz" --scratch-path "$scratch"
    -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library)
mkdir -p "$scratch/logs"
# SwiftPM keeps its build plan while the dbscout package this one depends on gains or loses source files, and then
# misses the new ones or asks for the removed ones. Planning afresh takes seconds; the compiled objects stay.
rm -f "$scratch"/*/release/description.json "$scratch/release.yaml"
for target in "${targets[@]}"; do
    echo "== building fuzz-$target"
    if ! "${build[@]}" --product "fuzz-$target" >"$scratch/logs/build.log" 2>&1; then
        tail -n 40 "$scratch/logs/build.log" >&2
        echo "build of fuzz-$target failed" >&2
        exit 2
    fi
done
bin=$("${build[@]}" --show-bin-path)

# libFuzzer's last coverage line, e.g. "#123456 DONE cov: 812 ft: 2304 corp: 301/40Kb ...": the value after `key`.
last_value() { grep -Eo "$1 [0-9]+" "$2" | tail -n 1 | awk '{print $2}'; }
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

rows=()
crashed=0
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    crashes="$root/Fuzz/Crashes/$target"
    log="$scratch/logs/$target.log"
    mkdir -p "$corpus" "$crashes"
    before=$(find "$crashes" -type f | sort)
    echo "== fuzz-$target for ${seconds}s (log: ${log#"$root"/})"
    start=$(date +%s)
    # The Swift runtime's backtracer would take the crash signal from libFuzzer, which then writes no input.
    # `timeout` is only a backstop: -max_total_time ends the run, and -timeout turns a hanging input into a crash.
    SWIFT_BACKTRACE=enable=no timeout --kill-after=30 $((seconds + 120)) "$bin/fuzz-$target" \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$corpus" "$root/Fuzz/Corpus/$target" >"$log" 2>&1 || true
    elapsed=$(($(date +%s) - start))
    new=$(comm -13 <(echo "$before") <(find "$crashes" -type f | sort) | sed '/^$/d')
    found=$(echo -n "$new" | grep -c . || true)
    for file in $new; do
        crashed=1
        echo "   crash: ${file#"$root"/}"
        echo "   minimise: SWIFT_BACKTRACE=enable=no $bin/fuzz-$target -minimize_crash=1 -runs=100000" \
            "-exact_artifact_path=$file.min $file"
    done
    rows+=("$(printf '%-9s %7s %11s %9s %9s %8s' "$target" "$elapsed" "$(final_stat number_of_executed_units "$log")" \
        "$(final_stat average_exec_per_sec "$log")" "$(last_value cov: "$log")" "$found")")
done

echo
printf '%-9s %7s %11s %9s %9s %8s\n' target seconds runs exec/s coverage crashes
printf '%s\n' "${rows[@]}"
exit "$crashed"
