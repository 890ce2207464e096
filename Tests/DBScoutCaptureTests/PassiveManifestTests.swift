import DBScoutCapture
import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import Foundation
import Testing

/// Every trace under ../shared/testdata, cut into flows by the flow table and classified passively, against the
/// findings listed in Manifest/passive.tsv: one row per distinct (server, product, version, TLS) the trace's flows
/// give, or a row of dashes for a trace that must give none.
@Suite("Passive findings of recorded traces", .enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
struct PassiveManifestTests {
    struct Row: Sendable, Hashable, CustomTestStringConvertible {
        let path: String
        let server: String
        let product: String
        let version: String
        let tls: String

        var testDescription: String { "\(path) → \(server) \(product) \(version) \(tls)" }
    }

    static let rows: [Row] = ManifestTable.rows("Manifest/passive.tsv", besides: #filePath, columns: 5).map {
        Row(path: $0[0], server: $0[1], product: $0[2], version: $0[3], tls: $0[4])
    }

    static var paths: [String] { Array(Set(rows.map(\.path))).sorted() }

    /// What the classifier finds in a trace, as manifest rows.
    static func found(_ path: String) throws -> Set<Row> {
        let findings = try SharedTraces.snapshots(path).map(\.flow).compactMap(PassiveClassifier.classify)
        guard !findings.isEmpty else { return [Row(path: path, server: "-", product: "-", version: "-", tls: "-")] }
        return Set(
            findings.map {
                Row(
                    path: path,
                    server: $0.endpoint.description,
                    product: $0.product.rawValue,
                    version: $0.version ?? "-",
                    tls: $0.tls == .unknown ? "-" : $0.tls.rawValue
                )
            }
        )
    }

    @Test(arguments: paths)
    func trace(_ path: String) throws {
        let expected = Set(Self.rows.filter { $0.path == path })
        let actual = try Self.found(path)
        #expect(actual.subtracting(expected).map(\.testDescription).sorted() == [], "found but not listed")
        #expect(expected.subtracting(actual).map(\.testDescription).sorted() == [], "listed but not found")
    }

    /// The manifest names every trace in the shared folder, and no file that is not there.
    @Test func theManifestCoversEveryTrace() throws {
        let listed = Set(Self.paths)
        #expect(listed == Set(try Self.allTraces()))
        #expect(listed.count >= 60)
    }

    /// The negatives of the issue: nothing on 5432 is taken for PostgreSQL unless it speaks PostgreSQL.
    @Test func theNegativesGiveNoPostgreSQL() throws {
        for path in [
            "public-traces/zeek/postgresql/http-on-port-5432.pcap",
            "public-traces/zeek/postgresql/mysql-on-port-5432.pcap",
            "public-traces/suricata-verify/pgsql-bug-6080-probe-test-01.pcap",
            "public-traces/zeek/postgresql/bad-startup-message-1.pcap",
            "public-traces/nDPI/mssql_tds.pcap",
        ] {
            let products = try Self.found(path).map(\.product)
            #expect(!products.contains("postgresql"), "\(path)")
            #expect(!products.contains("sqlserver"), "\(path)")
        }
    }

    /// Every finding carries the evidence it rests on, the client's side included, and OS evidence when the
    /// SYN-ACK was seen.
    @Test func findingsExplainThemselves() throws {
        for path in Self.paths {
            for flow in try SharedTraces.snapshots(path).map(\.flow) {
                guard let finding = PassiveClassifier.classify(flow) else { continue }
                let facts = finding.evidence.map(\.fact)
                #expect(facts.contains { $0.contains(".client.") || $0.hasPrefix("redis.client") }, "\(path)")
                if flow.synAck != nil { #expect(facts.contains("os.tcp.verdict"), "\(path)") }
            }
        }
    }

    static func allTraces() throws -> [String] {
        guard let root = PcapTrace.sharedTestData else { return [] }
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        return (files?.allObjects as? [URL] ?? []).compactMap { url in
            guard ["pcap", "pcapng"].contains(url.pathExtension) else { return nil }
            return String(url.path.dropFirst(root.path.count + 1))
        }
        .sorted()
    }

    /// Writes what we find in every trace as manifest rows when DBSCOUT_PASSIVE_TABLE names a file.
    @Test func writeTheTableWhenAsked() throws {
        guard let output = ProcessInfo.processInfo.environment["DBSCOUT_PASSIVE_TABLE"] else { return }
        var lines: [String] = []
        for path in try Self.allTraces() {
            for row in try Self.found(path).sorted(by: { $0.testDescription < $1.testDescription }) {
                lines.append([row.path, row.server, row.product, row.version, row.tls].joined(separator: "\t"))
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: output, atomically: true, encoding: .utf8)
        #expect(!lines.isEmpty)
    }
}
