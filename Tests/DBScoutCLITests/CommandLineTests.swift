import DBSSEmulator
import DBScoutCore
import DBScoutTestSupport
import Foundation
import Testing

/// The `dbscout` binary as users run it: exit codes, messages, output formats, and secrets kept out of both.
@Suite("dbscout command line")
struct CommandLineTests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("dbscout")

    /// Runs the tool; with `openFileLimit`, under a shell that first sets both open-file limits to it.
    static func dbscout(
        _ arguments: [String],
        environment: [String: String] = [:],
        openFileLimit: Int? = nil
    ) throws -> Run {
        let process = Process()
        if let openFileLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(openFileLimit) && exec \"$0\" \"$@\"", binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()].merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = PipeReader.readAll(out, err)
        let (stdout, stderr) = (output[0], output[1])
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self)
        )
    }

    private var state: String { NSTemporaryDirectory() + "dbscout-cli-\(UUID())" }

    @Test(arguments: [
        (["scan", "10.0.0.0/33"], "invalid target '10.0.0.0/33'"),
        (["scan", "--bogus", "10.0.0.1"], "--bogus"),
        (["scan", "10.0.0.1", "-p", "99999"], "invalid port list"),
        (["scan", "8.8.8.8"], "public Internet addresses"),
        (["scan", "10.0.0.0/8"], "--allow-large-scope"),
        (["scan"], "no targets"),
    ])
    func badInputExitsWithTwoAndSaysWhy(arguments: [String], message: String) throws {
        let run = try Self.dbscout(arguments, environment: ["DBSCOUT_STATE_DIR": state])
        #expect(run.status == 2)
        #expect(run.stderr.contains(message), "stderr: \(run.stderr)")
    }

    @Test func aMissingInstanceIDExitsWithTwoWithoutShowingTheToken() throws {
        let run = try Self.dbscout(
            ["scan", "127.0.0.1", "-p", "1"],
            environment: [
                "DBSCOUT_STATE_DIR": state, "DBSCOUT_DBSS_ENDPOINT": "http://127.0.0.1:9",
                "DBSCOUT_DBSS_PROJECT_ID": "p", "DBSCOUT_DBSS_TOKEN": "cli-secret-777",
            ]
        )
        #expect(run.status == 2)
        #expect(run.stderr.contains("instance id"))
        #expect(!(run.stderr + run.stdout).contains("cli-secret-777"))
    }

    @Test(
        .enabled(
            if: TestServers.available && FileManager.default.fileExists(atPath: "/usr/bin/setpriv"),
            "needs the test servers and setpriv"
        )
    )
    func withoutRawSocketsTheScanSaysSoOnceAndCarriesOn() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--bounding-set=-net_raw", Self.binary.path, "scan", "127.0.0.2", "-p", "5432", "--format", "json",
        ]
        process.environment = ["DBSCOUT_STATE_DIR": state, "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = PipeReader.readAll(out, err)
        let (stdout, stderr) = (output[0], String(decoding: output[1], as: UTF8.self))
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(stderr.components(separatedBy: "no TCP/IP fingerprints").count == 2, "said once: \(stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.first?["os"] as? String == "LINUX64")
        #expect(findings.first?["os_source"] as? String == "local-host")
    }

    @Test(.enabled(if: TestServers.available, "needs scripts/test-servers.sh up and DBSCOUT_TEST_SERVERS=1"))
    func jsonOutputHasTheDocumentedKeysAndNoSecrets() async throws {
        let token = "cli-json-token-31"
        let emulator = try await DBSSEmulator.start(DBSSEmulatorConfiguration(validTokens: [token]))
        let run = try Self.dbscout(
            ["scan", "127.0.0.2-4", "-p", TestServers.ports.description, "--format", "json", "-vv"],
            environment: [
                "DBSCOUT_STATE_DIR": state, "DBSCOUT_DBSS_ENDPOINT": emulator.baseURL,
                "DBSCOUT_DBSS_PROJECT_ID": emulator.configuration.projectID,
                "DBSCOUT_DBSS_INSTANCE_ID": emulator.configuration.instanceID, "DBSCOUT_DBSS_TOKEN": token,
            ]
        )
        try await emulator.shutdown()
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(!(run.stdout + run.stderr).contains(token))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.count == TestServers.all.count)
        for finding in findings {
            for key in ["ip", "port", "product", "dbss_type", "version", "charset", "os", "tls", "registration"] {
                #expect(finding.keys.contains(key), "missing \(key)")
            }
            #expect(finding["port"] is Int)
        }
        let postgres = try #require(findings.first { $0["port"] as? Int == 5432 })
        #expect(postgres["product"] as? String == "postgresql")
        #expect(postgres["dbss_type"] as? String == "POSTGRESQL")
        #expect((postgres["registration"] as? [String: Any])?["status"] as? String == "registered")
        let redis = try #require(findings.first { $0["port"] as? Int == 6379 })
        #expect(redis["dbss_type"] is NSNull)
    }
}
