import DBSSClient
import DBScoutAgent
import DBScoutCore
import DBScoutScanner
import Foundation
import Testing

@Suite("Settings")
struct SettingsTests {
    private func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dbscout-\(UUID()).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private let dbssEnvironment = [
        "DBSCOUT_DBSS_ENDPOINT": "http://127.0.0.1:8080", "DBSCOUT_DBSS_PROJECT_ID": "p1",
        "DBSCOUT_DBSS_INSTANCE_ID": "i1", "DBSCOUT_DBSS_TOKEN": "env-token-123",
    ]

    @Test func fileThenEnvironmentThenFlags() throws {
        let file = try temporaryFile(
            """
            state_dir: /tmp/from-file
            scan:
              targets: [10.0.0.0/24]
              ports: "5432"
              concurrency: 10
            dbss:
              endpoint: http://file.example:1
              project_id: file-project
              instance_id: file-instance
              api_version: v2
              token: file-token
            registration:
              default_os: windows64
            """
        )
        var flags = SettingsOverrides()
        flags.configPath = file
        flags.concurrency = 20
        let settings = try AgentSettings.load(
            environment: ["DBSCOUT_STATE_DIR": "/tmp/from-env", "DBSCOUT_DBSS_PROJECT_ID": "env-project"],
            overrides: flags
        )
        #expect(settings.targets == ["10.0.0.0/24"])
        #expect(settings.ports.ports == [5432])
        #expect(settings.scan.concurrency == 20)
        #expect(settings.stateDirectory.path == "/tmp/from-env")
        #expect(settings.dbss?.projectID == "env-project")
        #expect(settings.dbss?.instanceID == "file-instance")
        #expect(settings.dbss?.apiVersion == .v2)
        #expect(settings.dbss?.token?.reveal() == "file-token")
        #expect(settings.registration.defaultOS == .windows64)
    }

    @Test func environmentAloneConfiguresDBSS() throws {
        let settings = try AgentSettings.load(environment: dbssEnvironment, overrides: SettingsOverrides())
        #expect(settings.dbss?.addDatabasePath == "/v1/p1/i1/audit/databases")
        #expect(settings.dbss?.token?.reveal() == "env-token-123")
    }

    @Test func noDBSSSettingsMeansRegistrationIsOff() throws {
        #expect(try AgentSettings.load(environment: [:], overrides: SettingsOverrides()).dbss == nil)
    }

    @Test func aMissingInstanceIDIsNamedAndTheTokenIsNot() {
        var environment = dbssEnvironment
        environment["DBSCOUT_DBSS_INSTANCE_ID"] = nil
        #expect {
            try AgentSettings.load(environment: environment, overrides: SettingsOverrides())
        } throws: { error in
            let text = "\(error)"
            return (error as? DBScoutError)?.code == .invalidConfiguration && text.contains("instance id")
                && !text.contains("env-token-123")
        }
    }

    @Test func unknownKeysAndBadValuesAreErrors() throws {
        for (text, expected) in [
            ("scan:\n  portz: 1\n", "unknown key 'portz'"),
            ("dbss:\n  api_version: v9\n  endpoint: http://x\n  project_id: p\n  instance_id: i\n  token: t\n", "v9"),
            ("registration:\n  default_os: BEOS\n", "BEOS"),
            ("scan: [1, 2]\n", "mapping"),
        ] {
            var flags = SettingsOverrides()
            flags.configPath = try temporaryFile(text)
            #expect {
                try AgentSettings.load(environment: [:], overrides: flags)
            } throws: { error in
                (error as? DBScoutError)?.code == .invalidConfiguration && "\(error)".contains(expected)
            }
        }
    }

    @Test func overridesCorrectWhatIsSubmitted() throws {
        var flags = SettingsOverrides()
        flags.configPath = try temporaryFile(
            """
            registration:
              overrides:
                - product: postgresql
                  type: KINGBASE
                  version: V8
                - endpoint: 10.0.0.9:5432
                  name: finance-db
                  charset: gbk
                - ip: 10.0.0.10
                  skip: true
            """
        )
        let policy = try AgentSettings.load(environment: [:], overrides: flags).registration
        let postgres = { (ip: String) in
            Finding(endpoint: Endpoint(address: IPAddress(ip)!, port: 5432), product: .postgresql, version: "12")
        }
        let general = try #require(policy.database(for: postgres("10.0.0.8")))
        #expect(general.type == "KINGBASE")
        #expect(general.version == "V8")
        let named = try #require(policy.database(for: postgres("10.0.0.9")))
        #expect(named.name == "finance-db")
        #expect(named.charset == "GBK")
        #expect(named.type == "KINGBASE")
        #expect(policy.database(for: postgres("10.0.0.10")) == nil)
    }

    @Test func badOverridesAreNamed() throws {
        for (text, expected) in [
            ("registration:\n  overrides:\n    - type: MYSQL\n", "at least one of"),
            ("registration:\n  overrides:\n    - port: 1\n      type: MSSQL\n", "'MSSQL' is not a DBSS type"),
            ("registration:\n  overrides:\n    - endpoint: nowhere\n", "ADDRESS:PORT"),
            ("registration:\n  overrides:\n    - port: 1\n      typo: x\n", "unknown key 'typo'"),
        ] {
            var flags = SettingsOverrides()
            flags.configPath = try temporaryFile(text)
            #expect {
                try AgentSettings.load(environment: [:], overrides: flags)
            } throws: { error in
                "\(error)".contains(expected) && "\(error)".contains("overrides")
            }
        }
    }

    @Test func anUnknownHostOSWaitsUnlessTheConfigSaysOtherwise() throws {
        let unknown = Finding(endpoint: Endpoint(address: IPAddress("10.0.0.9")!, port: 5432), product: .postgresql)
        #expect(RegistrationPolicy().holdReason(for: unknown)?.contains("register_unknown_os") == true)
        #expect(RegistrationPolicy(registerUnknownOS: true).holdReason(for: unknown) == nil)
        let override = RegistrationOverride(match: .init(port: 5432), os: .windows64)
        #expect(RegistrationPolicy(overrides: [override]).holdReason(for: unknown) == nil)
        var known = unknown
        known.os = .linux64
        #expect(RegistrationPolicy().holdReason(for: known) == nil)
        var flags = SettingsOverrides()
        flags.configPath = try temporaryFile("registration:\n  register_unknown_os: true\n")
        #expect(try AgentSettings.load(environment: [:], overrides: flags).registration.registerUnknownOS)
    }

    @Test func theTokenFileIsReadAndTrimmed() throws {
        let path = try temporaryFile("  file-secret\n")
        var environment = dbssEnvironment
        environment["DBSCOUT_DBSS_TOKEN"] = nil
        var flags = SettingsOverrides()
        flags.dbssTokenFile = path
        #expect(
            try AgentSettings.load(environment: environment, overrides: flags).dbss?.token?.reveal() == "file-secret"
        )
    }

    @Test func submissionBodiesAreAllStringsWithDefaultsForUnknowns() throws {
        let finding = Finding(endpoint: Endpoint(address: IPAddress("10.0.0.9")!, port: 3306), product: .mariadb)
        let body = try #require(RegistrationPolicy().database(for: finding))
        #expect(body.type == "MYSQL")
        #expect(body.port == "3306")
        #expect(body.version == "unknown")
        #expect(body.charset == "UTF8")
        #expect(body.os == "LINUX64")
        #expect(body.dbClassification == "ECS")
        let redis = Finding(endpoint: Endpoint(address: IPAddress("10.0.0.9")!, port: 6379), product: .redis)
        #expect(RegistrationPolicy().database(for: redis) == nil)
    }
}
