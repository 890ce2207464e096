import DBScoutCore
import DBScoutScanner
import DBScoutTestSupport
import Logging
import Synchronization
import Testing

/// Scans of the real PostgreSQL, MariaDB and Redis servers that `scripts/test-servers.sh` runs.
@Suite(
    "Scanning real servers",
    .enabled(if: TestServers.available, "needs scripts/test-servers.sh up and DBSCOUT_TEST_SERVERS=1")
)
struct RealServerScanTests {
    static func scan(_ endpoints: [Endpoint]) async -> [Endpoint: EndpointOutcome] {
        let results = Mutex<[Endpoint: EndpointOutcome]>([:])
        let scanner = Scanner(options: ScanOptions(), logger: Logger(label: "test"))
        await scanner.scan(endpoints, total: endpoints.count) { endpoint, outcome, _ in
            results.withLock { $0[endpoint] = outcome }
        }
        return results.withLock { $0 }
    }

    static func finding(_ endpoint: Endpoint) async throws -> Finding {
        guard case .identified(let finding) = await scan([endpoint])[endpoint] else {
            Issue.record("\(endpoint) was not identified")
            throw DBScoutError(.invalidTarget, "not identified")
        }
        return finding
    }

    @Test func aDatabaseOnThisHostTakesThisHostsOS() async throws {
        let finding = try await Self.finding(TestServers.postgresPlain)
        #expect(finding.os == .linux64)
        #expect(finding.osDetail?.hasPrefix("Linux ") == true)
        #expect(finding.evidence.contains { $0.fact == "os.local_host" })
        #expect(finding.osSource == .localHost)
        #expect(finding.osConfidence == 1)
        let across = try await Self.finding(TestServers.redisProtected)
        #expect(!across.evidence.contains { $0.fact == "os.local_host" }, "10.231.0.2 lives in another namespace")
    }

    @Test func postgresOnTheDefaultPort() async throws {
        let finding = try await Self.finding(TestServers.postgresPlain)
        #expect(finding.product == .postgresql)
        #expect(finding.version?.hasPrefix("15.") == true)
        #expect(finding.dbssVersion == "15")
        #expect(finding.tls == .unsupported)
        #expect(finding.dbssType == .postgresql)
        #expect(finding.evidence.contains(Evidence("postgres.protocol_range", "3.0 to 3.0")))
    }

    @Test func postgresWithTLSOnANonDefaultPort() async throws {
        let finding = try await Self.finding(TestServers.postgresSSL)
        #expect(finding.product == .postgresql)
        #expect(finding.version?.hasPrefix("15.") == true)
        #expect(finding.dbssVersion == "15")
        #expect(finding.tls == .supported)
    }

    @Test func mariadbGreeting() async throws {
        let finding = try await Self.finding(TestServers.mariadbPlain)
        #expect(finding.product == .mariadb)
        #expect(finding.version?.hasPrefix("10.11.") == true)
        #expect(finding.charset == .utf8)
        #expect(finding.os == .linux64)
        #expect(finding.dbssType == .mysql)
        #expect(finding.evidence.contains(Evidence("mysql.greeting.auth_plugin", "mysql_native_password")))
    }

    @Test func mariadbThatRefusesTheScanningHost() async throws {
        let finding = try await Self.finding(TestServers.mariadbRefusing)
        #expect(finding.product == .mariadb)
        #expect(finding.version == nil)
        #expect(finding.evidence.contains(Evidence("mysql.refusal.code", "1130")))
    }

    @Test func mariadbWithGBK() async throws {
        let finding = try await Self.finding(TestServers.mariadbGBK)
        #expect(finding.charset == .gbk)
        #expect(finding.evidence.contains(Evidence("mysql.greeting.collation", "28 (gbk)")))
    }

    @Test func mariadbOfferingTLS() async throws {
        #expect(try await Self.finding(TestServers.mariadbTLS).tls == .supported)
    }

    @Test func redisOpenAndWithPassword() async throws {
        let open = try await Self.finding(TestServers.redisOpen)
        #expect(open.product == .redis)
        #expect(open.version?.hasPrefix("7.") == true)
        #expect(open.os == .linux64)
        #expect(open.dbssType == nil)
        let locked = try await Self.finding(TestServers.redisAuth)
        #expect(locked.product == .redis)
        #expect(locked.version == nil)
    }

    @Test func redisThatOnlySpeaksTLS() async throws {
        let finding = try await Self.finding(TestServers.redisTLS)
        #expect(finding.product == .redis)
        #expect(finding.version?.hasPrefix("7.") == true)
        #expect(finding.tls == .required)
        #expect(
            finding.evidence.contains {
                $0.fact == "tls.certificate.subject" && $0.value.contains("dbscout-test-redis")
            }
        )
    }

    @Test func redisInProtectedModeAcrossANamespace() async throws {
        let finding = try await Self.finding(TestServers.redisProtected)
        #expect(finding.product == .redis)
        #expect(finding.evidence.contains { $0.fact == "redis.error" && $0.value.hasPrefix("DENIED") })
    }

    @Test func postgresBehindATLSOnlyTerminator() async throws {
        let finding = try await Self.finding(TestServers.postgresTLSFirst)
        #expect(finding.product == .postgresql)
        #expect(finding.dbssVersion == "15")
        #expect(finding.tls == .required)
        #expect(finding.evidence.contains(Evidence("tls.first", "only a connection that starts with TLS is answered")))
        #expect(
            finding.evidence.contains {
                $0.fact == "tls.certificate.subject" && $0.value.contains("dbscout-test-tlsfirst")
            }
        )
    }

    @Test func poolersAreLabelledNotRegistered() async throws {
        let bouncer = try await Self.finding(TestServers.pgbouncer)
        #expect(bouncer.product == .pgbouncer)
        #expect(bouncer.dbssType == nil)
        let pool = try await Self.finding(TestServers.pgpool)
        #expect(pool.product == .pgpool)
        #expect(pool.dbssType == nil)
    }

    @Test func closedPortsAreClosed() async {
        let closed = Endpoint(address: IPAddress("127.0.0.2")!, port: 1)
        guard case .closed = await Self.scan([closed])[closed] else {
            Issue.record("port 1 should be closed")
            return
        }
    }
}
