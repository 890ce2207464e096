import DBScoutCore
import DBScoutLocal
import DBScoutTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `LocalListeners.scan()` on this machine's real /proc.
@Suite("Local listeners on this host")
struct RealProcScanTests {
    /// A socket this test opens is found with this process's pid and names, and is no database.
    @Test func ourOwnListenerIsFoundWithOurPid() throws {
        let listener = try LoopbackListener(ipv6: false)
        let found = try #require(try LocalListeners.scan().first { $0.inode == listener.inode })
        #expect(found.endpoint == .parse("127.0.0.1", listener.port))
        #expect(found.pid == getpid())
        #expect(found.uid == getuid())
        #expect(found.arguments == CommandLine.arguments)
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        #expect(found.executable == executable)
        // The kernel names a process after the file it executed, cut to 15 bytes.
        #expect(found.command == String(URL(fileURLWithPath: CommandLine.arguments[0]).lastPathComponent.prefix(15)))
        #expect(found.product == nil)
        #expect(found.dbssType == nil)
        #expect(found.reason == nil)
        #expect(found.probeEndpoint == found.endpoint)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/net/if_inet6"), "needs IPv6"))
    func ourOwnIPv6ListenerIsFound() throws {
        let listener = try LoopbackListener(ipv6: true)
        let found = try #require(try LocalListeners.scan().first { $0.inode == listener.inode })
        #expect(found.endpoint == .parse("::1", listener.port))
        #expect(found.pid == getpid())
    }

    /// The harness's servers: each found as its product, held by the server's own process.
    @Test(.enabled(if: TestServers.available, "needs scripts/test-servers.sh up and DBSCOUT_TEST_SERVERS=1"))
    func theHarnessServersAreFoundAsTheirProducts() throws {
        let listeners = try LocalListeners.scan()
        func listener(_ endpoint: Endpoint) throws -> LocalListener {
            try #require(listeners.first { $0.endpoint == endpoint }, "\(endpoint) not found")
        }

        let postgres = try listener(TestServers.postgresPlain)
        #expect(postgres.product == .postgresql)
        let postgresPID = try #require(postgres.pid)
        #expect(postgres.command == "postgres")
        #expect(try String(contentsOfFile: "/proc/\(postgresPID)/comm", encoding: .utf8) == "postgres\n")

        let mariadb = try listener(TestServers.mariadbPlain)
        #expect(mariadb.product == .mariadb)
        #expect(mariadb.dbssType == .mysql)
        #expect(["mariadbd", "mysqld"].contains(mariadb.command))
        #expect(mariadb.pid != nil)

        let redis = try listener(TestServers.redisOpen)
        #expect(redis.product == .redis)
        #expect(redis.dbssType == nil)
        #expect(redis.command == "redis-server")

        let expected: [DatabaseProduct: [Endpoint]] = [
            .postgresql: [TestServers.postgresPlain, TestServers.postgresSSL, TestServers.postgresSSLOnly],
            .mariadb: [
                TestServers.mariadbPlain, TestServers.mariadbRefusing, TestServers.mariadbGBK, TestServers.mariadbTLS,
            ],
            .redis: [TestServers.redisOpen, TestServers.redisAuth, TestServers.redisTLS],
            .pgbouncer: [TestServers.pgbouncer],
            .pgpool: [TestServers.pgpool],
        ]
        for (product, endpoints) in expected {
            for endpoint in endpoints {
                let found = try listener(endpoint)
                #expect(found.product == product, "\(endpoint)")
                #expect(found.pid != nil, "\(endpoint)")
            }
        }
        // stunnel in front of PostgreSQL holds that port: a TLS terminator, not a database.
        let stunnel = try listener(TestServers.postgresTLSFirst)
        #expect(stunnel.product == nil)
        #expect(stunnel.pid != nil)
    }

    /// `ss` reads the same kernel tables through netlink: for each harness endpoint, the pid chosen here is one of
    /// the pids `ss` shows, and for Pgpool-II (a master and its pre-forked children on one socket) it is the master.
    @Test(
        .enabled(if: TestServers.available, "needs scripts/test-servers.sh up and DBSCOUT_TEST_SERVERS=1"),
        .enabled(if: Self.ssPath != nil, "needs ss (iproute2)")
    )
    func pidsAgreeWithSS() throws {
        let holders = try Self.ssListeners()
        let listeners = try LocalListeners.scan()
        let endpoints = TestServers.all + [TestServers.pgbouncer, TestServers.pgpool, TestServers.postgresTLSFirst]
        for endpoint in endpoints {
            let pids = try #require(holders[endpoint.description], "ss does not list \(endpoint)")
            let found = try #require(listeners.first { $0.endpoint == endpoint })
            let pid = try #require(found.pid)
            #expect(pids.contains(pid), "\(endpoint): \(pid) not in \(pids)")
        }
        let pgpoolPIDs = try #require(holders[TestServers.pgpool.description])
        #expect(pgpoolPIDs.count > 1)
        let master = try #require(listeners.first { $0.endpoint == TestServers.pgpool }?.pid)
        let status = try String(contentsOfFile: "/proc/\(master)/status", encoding: .utf8)
        let parent = try #require(
            status.split(separator: "\n").first { $0.hasPrefix("PPid:") }?.split(separator: "\t").last
        )
        #expect(Int32(parent).map(pgpoolPIDs.contains) == false)
    }

    private static let ssPath = ["/usr/bin/ss", "/bin/ss", "/usr/sbin/ss", "/sbin/ss"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// `ss -Hltnp`: listening TCP sockets by local address, with the pids in `users:(("name",pid=N,fd=M),...)`.
    private static func ssListeners() throws -> [String: Set<Int32>] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(ssPath))
        process.arguments = ["-H", "-l", "-t", "-n", "-p"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var holders: [String: Set<Int32>] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4 else { continue }
            let pids = line.components(separatedBy: "pid=").dropFirst().compactMap { Int32($0.prefix { $0.isNumber }) }
            holders[String(fields[3]), default: []].formUnion(pids)
        }
        return holders
    }
}
