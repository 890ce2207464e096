import DBScoutAgent
import DBScoutCore
import Foundation
import Logging
import Synchronization
import Testing

@testable import DBScoutDaemon

@Suite("Daemon support")
struct DaemonSupportTests {
    /// Captures the lines a handler writes.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ line: String) { lines.withLock { $0.append(line) } }
    }

    func logger(_ format: DaemonSettings.LogFormat, into lines: Lines) -> Logger {
        Logger(label: "test") { label in
            LineLogHandler(label: label, format: format, level: .info) { lines.append($0) }
        }
    }

    @Test func logfmtQuotesWhatNeedsQuotingAndKeepsOneLinePerEvent() throws {
        let lines = Lines()
        logger(.logfmt, into: lines).notice(
            "scan finished",
            metadata: ["endpoint": "10.0.0.1:5432", "error": "a \"quoted\"\nline", "empty": ""]
        )
        logger(.logfmt, into: lines).debug("below the level")
        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1)
        #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false)
        #expect(line.contains(#"level=notice msg="scan finished""#))
        #expect(line.contains("endpoint=10.0.0.1:5432"))
        #expect(line.contains(#"error="a \"quoted\"\nline""#))
        #expect(line.contains(#"empty="""#))
        #expect(line.hasPrefix("ts=20"))
    }

    @Test func jsonLinesParseBackWithEveryField() throws {
        let lines = Lines()
        logger(.json, into: lines).error("failed", metadata: ["reason": "tab\there \u{1}", "n": "3"])
        let line = try #require(lines.all.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["level"] == "error" && object["msg"] == "failed" && object["n"] == "3")
        #expect(object["reason"] == "tab\there \u{1}")
        #expect(object["ts"] != nil)
    }

    @Test func prometheusTextHasHelpTypeAndEscapedLabels() {
        let metrics = DaemonMetrics()
        metrics.found(
            Finding(endpoint: Endpoint(address: IPAddress("10.0.0.1")!, port: 5432), product: .postgresql),
            source: "scan"
        )
        metrics.passive("eth\"0", up: true)
        let text = metrics.render()
        #expect(text.contains("# HELP dbscout_up 1 while the daemon runs.\n# TYPE dbscout_up gauge\ndbscout_up 1\n"))
        #expect(text.contains("dbscout_findings_total{product=\"postgresql\",source=\"scan\"} 1\n"))
        #expect(text.contains("dbscout_passive_capture_up{interface=\"eth\\\"0\"} 1\n"))
        #expect(text.contains("# TYPE dbscout_scans_total counter\ndbscout_scans_total 0\n"))
    }

    @Test(arguments: [
        ("90", 90_000), ("90s", 90_000), ("15m", 900_000), ("2h", 7_200_000), ("500ms", 500), ("1.5s", 1_500),
    ])
    func durationsAsOperatorsWriteThem(text: String, milliseconds: Int64) throws {
        #expect(try DaemonSettings.duration(text, name: "x") == .milliseconds(milliseconds))
    }

    @Test(arguments: ["", "ten", "-5s", "5 parsecs", "9999d"])
    func badDurationsAreNamed(text: String) {
        #expect(throws: DBScoutError.self) { try DaemonSettings.duration(text, name: "the daemon interval") }
    }

    @Test func theNotifySocketAddressIsASockaddrUn() throws {
        let path = try #require(SystemdNotifier.address("/run/systemd/notify"))
        #expect(path.prefix(2) == [1, 0], "AF_UNIX, little-endian")
        #expect(Array(path.dropFirst(2)) == Array("/run/systemd/notify".utf8) + [0])
        let abstract = try #require(SystemdNotifier.address("@dbscout"))
        #expect(Array(abstract.dropFirst(2)) == [0] + Array("dbscout".utf8))
        #expect(SystemdNotifier.address(String(repeating: "x", count: 200)) == nil)
        #expect(SystemdNotifier(environment: [:]).notify("READY=1") == false, "no systemd, nothing sent")
    }

    @Test func watchdogIntervalIsOnlyForThisProcess() {
        let mine = SystemdNotifier(environment: ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "\(getpid())"])
        #expect(mine.watchdogInterval == .seconds(2))
        let other = SystemdNotifier(environment: ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"])
        #expect(other.watchdogInterval == nil)
    }
}
