import DBScoutCore
import DBScoutProtocols
import DBScoutTestSupport
import Foundation
import NIOCore
import Testing

/// Every recorded server handshake under ../shared/testdata, replayed through the codecs and classifiers the
/// scanner uses, against the expected result kept in Manifest/traces.tsv.
@Suite("Recorded handshakes", .enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
struct TraceManifestTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let path: String
        let port: UInt16
        let turn: Int
        let decoder: String
        let product: String?
        let version: String?
        let fact: (String, String)?

        var testDescription: String { "\(path) turn \(turn) (\(decoder))" }
    }

    static let rows: [Row] = ManifestTable.rows("Manifest/traces.tsv", besides: #filePath, columns: 7).compactMap {
        columns in
        guard let port = UInt16(columns[1]), let turn = Int(columns[2]) else { return nil }
        let fact = ManifestTable.value(columns[6]).flatMap { text -> (String, String)? in
            guard let equals = text.firstIndex(of: "=") else { return nil }
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
        return Row(
            path: columns[0],
            port: port,
            turn: turn,
            decoder: columns[3],
            product: ManifestTable.value(columns[4]),
            version: ManifestTable.value(columns[5]),
            fact: fact
        )
    }

    @Test func theManifestCoversTheTraces() {
        #expect(Self.rows.count >= 40)
    }

    @Test(arguments: rows)
    func replay(_ row: Row) throws {
        let turns = try PcapTrace.shared(row.path).replayTurns(serverPort: row.port)
        let turn = try #require(turns.dropFirst(row.turn).first, "no server turn \(row.turn) on port \(row.port)")
        let endpoint = Endpoint(address: IPAddress("192.0.2.1")!, port: row.port)
        let result = try Self.decode(ByteBuffer(bytes: turn.bytes), with: row.decoder, at: endpoint)
        #expect(result.finding?.product.rawValue == row.product, "product")
        #expect(result.finding?.version == row.version, "version")
        if let (name, value) = row.fact {
            let facts = result.facts.merging((result.finding?.evidence ?? []).map { ($0.fact, $0.value) }) { a, _ in a }
            #expect(facts[name] == value, "\(name) in \(facts)")
        }
    }

    /// What a decoder made of one server turn: a finding if the bytes identify a server, and decoded fields.
    struct Result {
        var finding: Finding?
        var facts: [String: String] = [:]
    }

    static func decode(_ bytes: ByteBuffer, with decoder: String, at endpoint: Endpoint) throws -> Result {
        switch decoder {
        case "mysql":
            return Result(
                finding: MySQLObservation.decode(bytes).value.map { MySQLClassifier.classify($0, at: endpoint) }
            )
        case "pg-ssl":
            let answer = try #require(PostgresSSLResponse.decode(bytes).value)
            return Result(facts: ["answer": answer == .willingToNegotiate ? "S" : "N"])
        case "pg-gssenc":
            let answer = try #require(PostgresGSSENCResponse.decode(bytes).value)
            return Result(facts: ["answer": answer == .willingToNegotiate ? "G" : answer == .notSupported ? "N" : "E"])
        case "pg-reply":
            let reply = try #require(PostgresStartupReply.decode(bytes).value)
            var result = Result(
                finding: PostgresClassifier.classify(.init(unsupportedProtocolReply: reply), at: endpoint)
            )
            result.facts["auth"] = reply.authenticationRequest.map(String.init)
            return result
        case "redis":
            return Result(
                finding: RedisReply.decode(bytes).value.flatMap { RedisClassifier.classify($0, at: endpoint) }
            )
        case "tds":
            return Result(
                finding: TDSPreloginResponse.decode(bytes).value.flatMap { TDSClassifier.classify($0, at: endpoint) }
            )
        case "tns":
            return Result(finding: tnsFinding(bytes, at: endpoint))
        case "drda":
            let reply = DRDAServerAttributesReply.decode(bytes, correlationID: 1).value
            return Result(finding: reply.flatMap { DRDAClassifier.classify($0, at: endpoint) })
        case "none":
            return Result(finding: anyFinding(bytes, at: endpoint))
        default:
            Issue.record("unknown decoder \(decoder) in the manifest")
            return Result()
        }
    }

    /// The 12c listener answers RESEND to the first CONNECT: fold leading RESENDs as the probe does.
    private static func tnsFinding(_ bytes: ByteBuffer, at endpoint: Endpoint) -> Finding? {
        var rest = bytes
        var resends = 0
        while case .message(let reply, let consumed) = TNSListenerReply.decode(rest) {
            rest.moveReaderIndex(forwardBy: consumed)
            guard reply == .resend else {
                return TNSClassifier.classify(
                    TNSObservation(offeredVersion: 315, reply: reply, resends: resends),
                    at: endpoint
                )
            }
            resends += 1
        }
        return nil
    }

    /// Whether any decoder would call these bytes a database.
    private static func anyFinding(_ bytes: ByteBuffer, at endpoint: Endpoint) -> Finding? {
        let decoders = ["mysql", "redis", "tds", "tns", "drda"]
        for decoder in decoders {
            if let finding = try? decode(bytes, with: decoder, at: endpoint).finding { return finding }
        }
        if let reply = PostgresStartupReply.decode(bytes).value {
            return PostgresClassifier.classify(.init(unsupportedProtocolReply: reply), at: endpoint)
        }
        return nil
    }
}
