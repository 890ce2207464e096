import DBScoutCore
import DBScoutProtocols
import NIOCore
import Testing

@Suite("MySQL codecs", .enabled(if: TraceFixtures.available, "needs ../shared/testdata"))
struct MySQLCodecTests {
    private let endpoint = Endpoint(address: IPAddress("127.0.0.1")!, port: 3306)

    private func observation(_ path: String, port: UInt16) throws -> MySQLObservation {
        try #require(MySQLObservation.decode(try TraceFixtures.serverBytes(path, port: port)).value)
    }

    @Test func mariaDBGreetingGivesProductVersionCharsetAndOS() throws {
        let finding = MySQLClassifier.classify(
            try observation("captures/mariadb10.11-greeting-only.pcap", port: 3306),
            at: endpoint
        )
        #expect(finding.product == .mariadb)
        #expect(finding.version == "10.11.19")
        #expect(finding.dbssVersion == "10.11")
        // This capture's server ran with latin1, which DBSS has no value for.
        #expect(finding.charset == nil)
        #expect(finding.evidence.contains(Evidence("mysql.greeting.collation", "8 (latin1)")))
        #expect(finding.tls == .unsupported)
        #expect(finding.os == .linux64)
        #expect(
            finding.evidence.contains(Evidence("mysql.greeting.server_version", "5.5.5-10.11.19-MariaDB-0+deb12u1"))
        )
        #expect(finding.evidence.contains(Evidence("mysql.greeting.auth_plugin", "mysql_native_password")))
    }

    @Test func refusalInsteadOfGreetingStillIdentifies() throws {
        let path = "captures/mariadb10.11-host-not-allowed-1130-instead-of-greeting.pcap"
        guard case .refusal(let error) = try observation(path, port: 13306) else {
            Issue.record("expected an ERR packet")
            return
        }
        #expect(error.code == 1130)
        let finding = MySQLClassifier.classify(.refusal(error), at: endpoint)
        #expect(finding.product == .mariadb)
        #expect(finding.version == nil)
    }

    @Test(arguments: [
        ("public-traces/arkime/mysql-allow.pcap", DatabaseProduct.mysql, "5.5.35", false),
        ("public-traces/arkime/mysql-tls.pcap", .mysql, "5.7.16", true),
    ])
    func publicTracesDecode(path: String, product: DatabaseProduct, version: String, tls: Bool) throws {
        let finding = MySQLClassifier.classify(try observation(path, port: 3306), at: endpoint)
        #expect(finding.product == product)
        #expect(finding.version == version)
        #expect(finding.tls == (tls ? .supported : .unsupported))
    }

    @Test func collationsMapToDBSSCharsets() {
        #expect(MySQLCollation(id: 45).dbssCharset == .utf8)
        #expect(MySQLCollation(id: 255).dbssCharset == .utf8)
        #expect(MySQLCollation(id: 33).dbssCharset == .utf8)
        #expect(MySQLCollation(id: 28).dbssCharset == .gbk)
        #expect(MySQLCollation(id: 248).dbssCharset == .gbk)
        #expect(MySQLCollation(id: 8).dbssCharset == nil)
        #expect(MySQLCollation(id: 8).characterSet == "latin1")
    }
}
