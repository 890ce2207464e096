import DBScoutCore
import DBScoutLocal
import DBScoutTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The /proc/net/tcp{,6} parser on the kernel's own tables, on crafted lines, and on garbage.
@Suite("ProcNetTCP parser")
struct ProcNetTCPTests {
    /// Lines as the kernel prints them on x86-64, with the values they stand for.
    static let crafted: [(line: String, entry: ProcNetTCPEntry)] = [
        (
            "   0: 0200007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1001 1 "
                + "0000000000000000 100 0 0 10 0",
            entry(.parse("127.0.0.2", 5432), .parse("0.0.0.0", 0), 0x0A, uid: 104, inode: 1001)
        ),
        (
            "   1: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 1003 1 "
                + "0000000000000000 100 0 0 10 0",
            entry(.parse("0.0.0.0", 6379), .parse("0.0.0.0", 0), 0x0A, uid: 106, inode: 1003)
        ),
        (
            "   2: 0302010A:6989 0100007F:9C40 01 00000000:00000000 02:000AFC7B 00000000   999        0 1006 2 "
                + "0000000000000000 20 4 30 10 -1",
            entry(.parse("10.1.2.3", 27017), .parse("127.0.0.1", 40000), 0x01, uid: 999, inode: 1006)
        ),
        (
            "   3: 0100007F:9C41 0100007F:1538 06 00000000:00000000 03:00001770 00000000     0        0 0 3 "
                + "0000000000000000",
            entry(.parse("127.0.0.1", 40001), .parse("127.0.0.1", 5432), 0x06, uid: 0, inode: 0)
        ),
        (
            "   0: 00000000000000000000000000000000:0599 00000000000000000000000000000000:0000 0A 00000000:00000000 "
                + "00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0",
            entry(.parse("::", 1433), .parse("::", 0), 0x0A, uid: 0, inode: 2001)
        ),
        (
            "   1: 00000000000000000000000001000000:6989 00000000000000000000000000000000:0000 0A 00000000:00000000 "
                + "00:00000000 00000000   107        0 2002 1 0000000000000000 100 0 0 10 0",
            entry(.parse("::1", 27017), .parse("::", 0), 0x0A, uid: 107, inode: 2002)
        ),
        (
            "   2: 0000000000000000FFFF00000100007F:1474 00000000000000000000000000000000:0000 0A 00000000:00000000 "
                + "00:00000000 00000000  1001        0 2003 1 0000000000000000 100 0 0 10 0",
            entry(.parse("::ffff:127.0.0.1", 5236), .parse("::", 0), 0x0A, uid: 1001, inode: 2003)
        ),
        (
            "   3: B80D0120000000000000000007000000:05F1 00000000000000000000000000000000:0000 0A 00000000:00000000 "
                + "00:00000000 00000000    54        0 2004 1 0000000000000000 100 0 0 10 0",
            entry(.parse("2001:db8::7", 1521), .parse("::", 0), 0x0A, uid: 54, inode: 2004)
        ),
    ]

    private static func entry(
        _ local: Endpoint,
        _ remote: Endpoint,
        _ state: UInt8,
        uid: UInt32,
        inode: UInt64
    ) -> ProcNetTCPEntry {
        ProcNetTCPEntry(local: local, remote: remote, state: state, uid: uid, inode: inode)
    }

    @Test func craftedLinesGiveTheirAddressesPortsStatesAndInodes() {
        for (line, expected) in Self.crafted {
            #expect(ProcNetTCP.parseLine(line) == expected, "\(line)")
        }
        let listening = Self.crafted.compactMap { ProcNetTCP.parseLine($0.line) }.filter(\.isListening)
        #expect(listening.map(\.inode) == [1001, 1003, 2001, 2002, 2003, 2004])
    }

    @Test func aTableSkipsItsHeaderAndBrokenLines() {
        let lines = [FakeProcTree.tcpHeader, Self.crafted[0].line, "", "garbage", Self.crafted[2].line]
        let table = ProcNetTCP.parseTable(lines.joined(separator: "\n") + "\n")
        #expect(table == [Self.crafted[0].entry, Self.crafted[2].entry])
    }

    @Test(arguments: [
        "",
        FakeProcTree.tcpHeader,
        FakeProcTree.tcp6Header,
        // Ten fields: cut right after the inode, which might itself be cut.
        "   0: 0200007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1001",
        "   0: 0200007G:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1001 1",
        "   0: +200007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1001 1",
        "   0: 0200007F0:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1001 1",
        "   0: 0200007F:15380 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1001 1",
        "   0: 0200007F:1538 00000000:0000 A 00000000:00000000 00:00000000 00000000   104        0 1001 1",
        "   0: 0200007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   -1        0 1001 1",
        "   0: 0200007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000 4294967296 0 1001 1",
        "   0: 0200007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1e3 1",
        "   0: 0200007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 18446744073709551616 1",
        "   x: 0200007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1001 1",
        "   0: 0200007F1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1001 1",
    ])
    func malformedLinesAreRejected(line: String) {
        #expect(ProcNetTCP.parseLine(line) == nil)
    }

    /// The kernel's own IPv4 table, read now: every line parses, and the socket this test opened is in it.
    @Test func theRealIPv4TableParsesAndHoldsOurListener() throws {
        let listener = try LoopbackListener(ipv6: false)
        let text = try Self.read("/proc/net/tcp")
        let lines = text.split(separator: "\n").dropFirst()
        let table = ProcNetTCP.parseTable(text)
        #expect(table.count == lines.count)
        let ours = try #require(table.first { $0.inode == listener.inode })
        #expect(ours.local == .parse("127.0.0.1", listener.port))
        #expect(ours.isListening)
        #expect(ours.uid == getuid())
        for line in lines { Self.expectEveryTruncationIsRejectedOrExact(String(line)) }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/net/if_inet6"), "needs IPv6"))
    func theRealIPv6TableParsesAndHoldsOurListener() throws {
        let listener = try LoopbackListener(ipv6: true)
        let text = try Self.read("/proc/net/tcp6")
        let table = ProcNetTCP.parseTable(text)
        #expect(table.count == text.split(separator: "\n").count - 1)
        let ours = try #require(table.first { $0.inode == listener.inode })
        #expect(ours.local == .parse("::1", listener.port))
        #expect(ours.remote == .parse("::", 0))
        #expect(ours.isListening)
    }

    @Test func everyTruncationOfACraftedLineIsRejectedOrExact() {
        for (line, _) in Self.crafted { Self.expectEveryTruncationIsRejectedOrExact(line) }
    }

    /// Random entries written as the kernel writes them read back unchanged.
    @Test func randomEntriesRoundTrip() {
        var random = SplitMix64(seed: 0x7C9)
        for _ in 0..<2_000 {
            let entry = ProcNetTCPEntry(
                local: Self.randomEndpoint(&random),
                remote: Self.randomEndpoint(&random),
                state: .random(in: 0...0xFF, using: &random),
                uid: .random(in: 0...UInt32.max, using: &random),
                inode: .random(in: 0...UInt64.max, using: &random)
            )
            #expect(ProcNetTCP.parseLine(KernelTCPLine.encode(entry)) == entry)
        }
    }

    /// Random bytes, and crafted lines with bytes overwritten, never crash the parser; whatever it accepts is a
    /// well-formed entry that reads back the same when written again.
    @Test func randomAndMutatedInputNeverCrashes() {
        var random = SplitMix64(seed: 0xF022)
        let alphabet = Array("0123456789ABCDEFabcdef: \t\n-+x".utf8)
        var inputs: [[UInt8]] = (0..<3_000).map { round in
            let count = Int.random(in: 0..<220, using: &random)
            return (0..<count).map { _ in
                round.isMultiple(of: 2)
                    ? .random(in: 0...0xFF, using: &random) : alphabet.randomElement(using: &random)!
            }
        }
        for (line, _) in Self.crafted {
            let bytes = Array(line.utf8)
            for position in bytes.indices {
                for replacement: [UInt8] in [[], [0x20], [0x00], [0x47], [0xFF], [0xE2, 0x80, 0xA8]] {
                    inputs.append(Array(bytes[..<position]) + replacement + bytes[(position + 1)...])
                }
            }
        }
        for input in inputs {
            let text = String(decoding: input, as: UTF8.self)
            #expect(ProcNetTCP.parseTable(text).count <= text.split(whereSeparator: \.isNewline).count)
            if let entry = ProcNetTCP.parseLine(text) {
                #expect(ProcNetTCP.parseLine(KernelTCPLine.encode(entry)) == entry)
            }
        }
    }

    private static func expectEveryTruncationIsRejectedOrExact(_ line: String) {
        let full = ProcNetTCP.parseLine(line)
        #expect(full != nil, "\(line)")
        let bytes = Array(line.utf8)
        for length in 0..<bytes.count {
            let parsed = ProcNetTCP.parseLine(String(decoding: bytes[..<length], as: UTF8.self))
            #expect(parsed == nil || parsed == full, "cut at \(length): \(line)")
        }
    }

    private static func randomEndpoint(_ random: inout SplitMix64) -> Endpoint {
        let address: IPAddress =
            Bool.random(using: &random)
            ? .v4(.random(in: 0...UInt32.max, using: &random))
            : .v6(UInt128(random.next()) << 64 | UInt128(random.next()))
        return Endpoint(address: address, port: .random(in: 0...UInt16.max, using: &random))
    }

    private static func read(_ path: String) throws -> String {
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
    }
}
