import DBScoutCore
import DBScoutScanner
import DBScoutTestSupport
import Logging
import NIOCore
import Testing

/// Services that are not databases must never be reported as one, and must not hold a probe for long.
@Suite("No database where there is none")
struct DecoyTests {
    private static let http = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)

    /// The cases other scanners get wrong, on the ports where each database is expected: nmap calls a tarpit on
    /// 5432 "postgresql?" and a byte-dribbling service on 3306 "msdtc".
    @Test(arguments: [
        ("tarpit on the PostgreSQL port", DecoyServer.Behaviour.silent, "127.0.0.7", 5432),
        (
            "dribbler on the MySQL port", .dribble([0xff, 0xff, 0xff, 0x00, 0x0a, 0x35], every: .milliseconds(200)),
            "127.0.0.7", 3306
        ),
        ("lone N on the PostgreSQL port", .reply([UInt8(ascii: "N")]), "127.0.0.8", 5432),
        ("echo on the Redis port", .echo, "127.0.0.7", 6379),
        ("HTTP on the SQL Server port", .reply(http), "127.0.0.7", 1433),
        ("SSH on the MySQL port", .greet(Array("SSH-2.0-OpenSSH_9.2p1\r\n".utf8)), "127.0.0.8", 3306),
    ])
    func decoyOnADatabasePortIsNotADatabase(
        name: String,
        behaviour: DecoyServer.Behaviour,
        host: String,
        port: Int
    ) async throws {
        let decoy = try await DecoyServer.start(behaviour, host: host, port: port)
        defer { Task { await decoy.stop() } }
        let outcome = await scan(decoy.endpoint)
        guard case .unidentified = outcome else {
            Issue.record("\(name): expected an open but unidentified port, got \(String(describing: outcome))")
            return
        }
    }

    @Test func aTLSServiceOnTheDatabasePortIsNotADatabase() async throws {
        let decoy = try await TLSDecoy.start(host: "127.0.0.9", port: 5432)
        defer { decoy.stop() }
        guard case .unidentified = await scan(decoy.endpoint) else {
            Issue.record("a TLS web server on 5432 must not be reported as PostgreSQL")
            return
        }
    }

    private func scan(_ endpoint: Endpoint) async -> EndpointOutcome? {
        let options = ScanOptions(readTimeout: .milliseconds(800), bannerWait: .milliseconds(300))
        let scanner = Scanner(options: options, logger: Logger(label: "test"))
        let outcome = Outcome()
        await scanner.scan([endpoint], total: 1) { _, result, _ in await outcome.set(result) }
        return await outcome.value
    }

    @Test(arguments: [
        ("tarpit", DecoyServer.Behaviour.silent),
        ("echo", .echo),
        ("http", .reply(http)),
        ("ssh banner", .greet(Array("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".utf8))),
        ("lone N", .reply([UInt8(ascii: "N")])),
        ("random bytes", .reply((0..<64).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 11) })),
        ("reset mid-handshake", .resetOnData),
        (
            "huge promised packet, dribbled",
            .dribble([0xff, 0xff, 0xff, 0x00, 0x0a, 0x35, 0x2e], every: .milliseconds(200))
        ),
        ("TLS alert", .reply([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])),
    ])
    func decoyIsNotADatabase(name: String, behaviour: DecoyServer.Behaviour) async throws {
        let decoy = try await DecoyServer.start(behaviour)
        defer { Task { await decoy.stop() } }
        let options = ScanOptions(readTimeout: .milliseconds(800), bannerWait: .milliseconds(300))
        let scanner = Scanner(options: options, logger: Logger(label: "test"))
        let clock = ContinuousClock()
        let outcome = Outcome()
        let elapsed = await clock.measure {
            await scanner.scan([decoy.endpoint], total: 1) { _, result, _ in await outcome.set(result) }
        }
        guard case .unidentified = await outcome.value else {
            Issue.record(
                "\(name): expected an open but unidentified port, got \(String(describing: await outcome.value))"
            )
            return
        }
        // A hang guard, not a speed check: seven protocols and a TLS-first retry, each capped by a 0.8 s deadline,
        // take about 6 s; the guard allows for timers firing late on a loaded two-core machine, where a hang
        // would never end at all.
        #expect(elapsed < .seconds(30), "\(name) held the scanner for \(elapsed)")
    }
}

private actor Outcome {
    var value: EndpointOutcome?
    func set(_ outcome: EndpointOutcome) { value = outcome }
}
