import DBScoutCore
import Foundation

/// The real servers that `scripts/test-servers.sh up` starts on loopback addresses.
///
/// Tests that need them are enabled when `DBSCOUT_TEST_SERVERS=1` (set by `scripts/run-tests.sh` and CI);
/// elsewhere they are skipped with that reason, never faked.
public enum TestServers {
    /// Whether the harness says the servers are running.
    public static let available = ProcessInfo.processInfo.environment["DBSCOUT_TEST_SERVERS"] == "1"

    /// The password of the servers' administrative users (scripts/test-servers.sh).
    public static let password = "dbscout-test-pw"

    public static let postgresPlain = endpoint("127.0.0.2", 5432)
    public static let postgresSSL = endpoint("127.0.0.2", 15432)
    public static let postgresSSLOnly = endpoint("127.0.0.2", 25432)
    public static let mariadbPlain = endpoint("127.0.0.3", 3306)
    public static let mariadbRefusing = endpoint("127.0.0.3", 13306)
    public static let mariadbGBK = endpoint("127.0.0.3", 23306)
    public static let mariadbTLS = endpoint("127.0.0.3", 33306)
    public static let redisOpen = endpoint("127.0.0.4", 6379)
    public static let redisAuth = endpoint("127.0.0.4", 16379)
    /// Redis with only its TLS port open.
    public static let redisTLS = endpoint("127.0.0.4", 6380)
    public static let pgbouncer = endpoint("127.0.0.5", 6432)
    public static let pgpool = endpoint("127.0.0.5", 9999)
    /// A TLS terminator (stunnel) in front of postgresPlain: a service that only answers TLS ClientHellos.
    public static let postgresTLSFirst = endpoint("127.0.0.6", 5432)
    /// Redis in protected mode inside the harness's network namespace, reached from 10.231.0.1.
    public static let redisProtected = endpoint("10.231.0.2", 6379)

    /// The servers on the loopback hosts 127.0.0.2-4, which the pipeline and demo scans cover.
    public static let all = [
        postgresPlain, postgresSSL, postgresSSLOnly, mariadbPlain, mariadbRefusing, mariadbGBK, mariadbTLS,
        redisOpen, redisAuth, redisTLS,
    ]

    /// The ports of ``all``, for scans of the three test hosts.
    public static let ports = PortSet(all.map(\.port))

    /// The server version the Debian packages install, read from the server binaries' packages.
    public static func debianPackageVersion(_ package: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/dpkg-query")
        process.arguments = ["-W", "-f=${Version}", package]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return process.terminationStatus == 0 && !text.isEmpty ? text : nil
    }

    private static func endpoint(_ address: String, _ port: UInt16) -> Endpoint {
        Endpoint(address: IPAddress(address)!, port: port)
    }

    /// A `psql` command that failed.
    public struct PSQLFailed: Error, CustomStringConvertible {
        public let sql: String
        public let status: Int32
        public var description: String { "psql exited \(status): \(sql)" }
    }

    /// Runs SQL as the superuser of the plain PostgreSQL (127.0.0.2:5432), to set up or drop test databases.
    public static func psql(_ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-X", "-q", "-h", "127.0.0.2", "-U", "postgres", "-d", "postgres", "-c", sql]
        process.environment = ["PGPASSWORD": password, "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PSQLFailed(sql: sql, status: process.terminationStatus) }
    }
}
