import DBScoutCore
import DBScoutTestSupport
import Foundation
import Testing

/// The open-file limit bounds how many connections a scan can hold. dbscout raises the soft limit to the hard
/// one, fits its concurrency under what it gets, and refuses to start below what it needs, rather than letting
/// SwiftNIO stop the process when an event loop cannot get a descriptor.
@Suite("Open-file limit")
struct OpenFileLimitTests {
    private var state: String { NSTemporaryDirectory() + "dbscout-nofile-\(UUID())" }

    @Test func belowWhatDbscoutNeedsItRefusesToStartAndSaysWhy() throws {
        let run = try CommandLineTests.dbscout(
            ["scan", "127.0.0.1", "-p", "1", "--format", "json"],
            environment: ["DBSCOUT_STATE_DIR": state],
            openFileLimit: 20
        )
        #expect(run.status == 2, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("open-file limit is 20"), "stderr: \(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test(.enabled(if: TestServers.available, "needs scripts/test-servers.sh up"))
    func aLowLimitLowersTheConcurrencyAndTheScanStillFindsEverything() throws {
        let server = TestServers.postgresPlain
        let run = try CommandLineTests.dbscout(
            ["scan", "\(server.address)", "-p", "\(server.port),1-40", "--format", "json", "--concurrency", "512"],
            environment: ["DBSCOUT_STATE_DIR": state],
            openFileLimit: 80
        )
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("concurrency lowered to fit the open-file limit"), "stderr: \(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let scan = try #require(document["scan"] as? [String: Any])
        #expect(scan["endpoints"] as? Int == 41)
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.map { $0["product"] as? String } == ["postgresql"])
    }
}
