import Foundation
import Testing

/// `config check`, `version` and completions, as an operator uses them.
@Suite("Operator commands")
struct OperatorCommandsTests {
    @Test func configCheckShowsTheEffectiveSettingsWithSecretsMasked() throws {
        let run = try CommandLineTests.dbscout(
            ["config", "check"],
            environment: [
                "DBSCOUT_DBSS_ENDPOINT": "https://dbss.example", "DBSCOUT_DBSS_PROJECT_ID": "p1",
                "DBSCOUT_DBSS_INSTANCE_ID": "i1", "DBSCOUT_DBSS_ACCESS_KEY": "AKVISIBLE",
                "DBSCOUT_DBSS_SECRET_KEY": "sk-must-not-show-42", "DBSCOUT_STORE": "postgres://scout@db.internal/inv",
                "DBSCOUT_STORE_PASSWORD": "store-must-not-show-7", "DBSCOUT_STATE_DIR": NSTemporaryDirectory(),
            ]
        )
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("aksk, access key AKVISIBLE"))
        #expect(run.stdout.contains("PostgreSQL postgres://scout@db.internal/inv (password set)"))
        #expect(run.stdout.contains("daemon.metrics_listen") && run.stdout.contains("127.0.0.1:9187"))
        for secret in ["sk-must-not-show-42", "store-must-not-show-7"] {
            #expect(!(run.stdout + run.stderr).contains(secret))
        }
    }

    @Test func configCheckRefusesABadFileWithTwo() throws {
        let path = NSTemporaryDirectory() + "dbscout-bad-\(UUID()).yaml"
        try "daemon:\n  interval: soon\n".write(toFile: path, atomically: true, encoding: .utf8)
        let run = try CommandLineTests.dbscout(["config", "check", "--config", path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("'soon'"), "stderr: \(run.stderr)")
    }

    @Test func versionAndCompletions() throws {
        let version = try CommandLineTests.dbscout(["version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("dbscout "))
        let completions = try CommandLineTests.dbscout(["--generate-completion-script", "bash"])
        #expect(completions.status == 0 && completions.stdout.contains("daemon"))
    }
}
