#!/usr/bin/env bash
# Prints our TCP/IP OS verdict next to p0f's for every SYN-ACK in ../shared/testdata (with --syn, the SYNs too).
#
#   scripts/compare-p0f.sh           SYN-ACKs
#   scripts/compare-p0f.sh --syn     SYN-ACKs and SYNs (all but nmap's crafted probes in captures/)
#
# Ours: the test OSTraceManifestTests/verdictTable writes the classifier's verdict for every packet listed in
# Tests/DBScoutProtocolsTests/Manifest/syn-ack.tsv to the file named by DBSCOUT_OS_TABLE.
# p0f's: Debian's p0f 3.09b (/usr/sbin/p0f, signatures /etc/p0f/p0f.fp) run with -r on each trace; installed with
# apt-get when missing. p0f reports each flow once, so a retransmitted SYN-ACK shares the first one's verdict.
# "(not reported)": p0f printed nothing for the flow (it skips 802.1Q-tagged frames, and SYN-ACKs whose SYN it
# did not see).
set -euo pipefail

cd "$(dirname "$0")/.."
roles="syn-ack"
[[ "${1:-}" == "--syn" ]] && roles="syn-ack syn"
testdata="../shared/testdata"
[[ -d "$testdata" ]] || { echo "needs $testdata" >&2; exit 1; }

p0f=/usr/sbin/p0f
if [[ ! -x "$p0f" ]]; then
    apt-get install -y p0f >/dev/null || { echo "cannot install p0f (run as root, or apt-get install p0f)" >&2; exit 1; }
fi
signatures=/etc/p0f/p0f.fp

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

swift build --build-tests >"$work/swift.log" 2>&1 || { cat "$work/swift.log" >&2; exit 1; }
DBSCOUT_OS_TABLE="$work/ours.tsv" swift test --skip-build --filter 'OSTraceManifestTests/verdictTable' \
    >"$work/swift.log" 2>&1 || { cat "$work/swift.log" >&2; exit 1; }

# One line per flow and role: path, role, sender, receiver, p0f's os.
(cd "$testdata" && find . -name '*.pcap' -o -name '*.pcapng' | sort) | while read -r trace; do
    "$p0f" -f "$signatures" -r "$testdata/$trace" 2>/dev/null | awk -v path="${trace#./}" '
        /^\.-\[/ {
            role = $0 ~ /\(syn\+ack\)/ ? "syn-ack" : $0 ~ /\(syn\)/ ? "syn" : ""
            client = $2; server = $4; sub("/", ":", client); sub("/", ":", server); os = "???"
        }
        /^\| os / { sub(/^\| os *= */, ""); if ($0 != "") os = $0 }
        /^`----/ && role != "" {
            print path "\t" role "\t" (role == "syn" ? client : server) "\t" (role == "syn" ? server : client) "\t" os
            role = ""
        }'
done > "$work/p0f.tsv"

awk -F'\t' -v roles="$roles" '
    FNR == NR { if (!((FILENAME, $1, $2, $3, $4) in seen)) { seen[FILENAME, $1, $2, $3, $4]; p0f[$1, $2, $3, $4] = $5 }; next }
    FNR == 1 { print "trace\tframe\trole\tsender\tours\tour label\tp0f"; next }
    index(" " roles " ", " " $3 " ") {
        theirs = (($1, $3, $4, $5) in p0f) ? p0f[$1, $3, $4, $5] : "(not reported)"
        print $1 "\t" $2 "\t" $3 "\t" $4 "\t" $6 "\t" $7 "\t" theirs
        ours[$6]++; if (theirs == "???" || theirs == "(not reported)") p0fNone[theirs]++; else p0fNamed++
        total++
    }
    END {
        printf "\n%d packets. Ours:", total > "/dev/stderr"
        for (o in ours) printf " %s %d;", o, ours[o] > "/dev/stderr"
        printf "\np0f: named an OS %d; ??? %d; not reported %d\n", p0fNamed, p0fNone["???"], p0fNone["(not reported)"] > "/dev/stderr"
    }' "$work/p0f.tsv" "$work/ours.tsv" | column -t -s $'\t'
