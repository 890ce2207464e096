import DBScoutTestSupport
import Testing

@testable import DBScoutLocal

/// The parsers for a process's command line, its descriptor links and its status file.
@Suite("Process file parsers")
struct ProcTextParserTests {
    @Test func commandLineSplitsOnNulAndDropsOnlyTrailingEmptyFields() {
        let untouched = FakeProcTree.commandLine("/usr/lib/postgresql/15/bin/postgres", "-D", "", "/data")
        #expect(ProcCommandLine.arguments(untouched) == ["/usr/lib/postgresql/15/bin/postgres", "-D", "", "/data"])
        // A rewritten title, padded with NULs where the old arguments were (Pgpool-II, Redis).
        let rewritten = Array("pgpool: wait for connection request".utf8) + [UInt8](repeating: 0, count: 40)
        #expect(ProcCommandLine.arguments(rewritten) == ["pgpool: wait for connection request"])
        // A title written over the NUL (PostgreSQL on Linux), with no terminator at all.
        #expect(ProcCommandLine.arguments(Array("postgres: checkpointer ".utf8)) == ["postgres: checkpointer "])
        #expect(ProcCommandLine.arguments([UInt8]()) == [])
        #expect(ProcCommandLine.arguments([0, 0]) == [])
        #expect(ProcCommandLine.arguments([0xFF, 0, 0x61]) == ["\u{FFFD}", "a"])
    }

    /// Random argument lists laid out as the kernel does read back unchanged; random bytes never crash.
    @Test func commandLineRoundTripsAndSurvivesRandomBytes() {
        var random = SplitMix64(seed: 0xC0DE)
        for _ in 0..<2_000 {
            // The kernel's separator cannot occur inside an argument.
            let arguments = (0..<Int.random(in: 0..<8, using: &random)).map { _ in
                String((0..<Int.random(in: 0..<12, using: &random)).map { _ in Character(Self.scalar(&random)) })
                    .filter { $0 != "\0" }
            }
            let expected = Array(arguments.reversed().drop(while: \.isEmpty).reversed())
            #expect(ProcCommandLine.arguments(arguments.flatMap { Array($0.utf8) + [0] }) == expected)

            let bytes = (0..<Int.random(in: 0..<64, using: &random)).map { _ in UInt8.random(in: 0...4, using: &random)
            }
            let parsed = ProcCommandLine.arguments(bytes)
            #expect(parsed.count <= bytes.filter { $0 == 0 }.count + 1)
            #expect(parsed.allSatisfy { !$0.utf8.contains(0) })
            #expect(parsed.last?.isEmpty != true)
        }
    }

    @Test func socketLinksGiveTheirInode() {
        #expect(SocketLink.inode("socket:[194030]") == 194_030)
        #expect(SocketLink.inode("socket:[18446744073709551615]") == UInt64.max)
        for other in [
            "/dev/null", "pipe:[77]", "anon_inode:[eventfd]", "socket:[]", "socket:[12", "socket:12]", "socket:[-1]",
            "socket:[18446744073709551616]", "socket:[1 2]", "socket:[", "",
        ] {
            #expect(SocketLink.inode(other) == nil, "\(other)")
        }
    }

    @Test func statusGivesTheParentPid() {
        #expect(ProcStatus.parentPID("Name:\tpgpool\nState:\tS (sleeping)\nTgid:\t650\nPid:\t650\nPPid:\t639\n") == 639)
        #expect(ProcStatus.parentPID("PPid:\t0\n") == 0)
        #expect(ProcStatus.parentPID("Name:\tx\n") == nil)
        #expect(ProcStatus.parentPID("PPid:\t\n") == nil)
        #expect(ProcStatus.parentPID("PPid:\t99999999999\n") == nil)
    }

    /// Every truncation and random text: the small parsers answer `nil` or a value, never crash.
    @Test func smallParsersSurviveTruncationAndRandomText() {
        let link = "socket:[194030]"
        let status = "Name:\tpgpool\nPPid:\t639\n"
        for length in 0..<link.count {
            #expect(SocketLink.inode(link.prefix(length)) == nil)
        }
        for length in 0...status.count {
            let parsed = ProcStatus.parentPID(status.prefix(length))
            #expect(parsed == nil || [6, 63, 639].contains(parsed))
        }
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<2_000 {
            let text = String((0..<Int.random(in: 0..<40, using: &random)).map { _ in Character(Self.scalar(&random)) })
            #expect(SocketLink.inode("socket:[\(text)]") == Self.digits(text).flatMap { UInt64($0) })
            let unpadded = text.filter { $0 != " " && $0 != "\t" }
            #expect(ProcStatus.parentPID("PPid:\(text)\n") == Self.digits(unpadded).flatMap { Int32($0) })
        }
    }

    /// The text when it is a non-empty run of ASCII digits.
    private static func digits(_ text: String) -> String? {
        !text.isEmpty && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ? text : nil
    }

    /// Mostly ASCII with some multi-byte scalars, including digits, brackets and NUL.
    private static func scalar(_ random: inout SplitMix64) -> Unicode.Scalar {
        let pool: [Unicode.Scalar] = [
            "0", "5", "9", "[", "]", ":", " ", "\t", "\0", "a", "Z", "é", "中", "\u{301}", "-",
        ]
        return pool.randomElement(using: &random)!
    }
}
