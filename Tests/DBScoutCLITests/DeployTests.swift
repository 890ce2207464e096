import Foundation
import Testing

/// The example configuration in deploy/ as `dbscout` itself reads it, so that the example cannot drift from the
/// settings loader. The units and install.sh are checked by deploy/test-deploy.sh.
@Suite("deploy/ examples")
struct DeployTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let deploy = root.appendingPathComponent("deploy")

    private let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
        "dbscout-deploy-\(UUID())"
    )

    init() throws {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    static func example(_ name: String) throws -> String {
        try String(contentsOf: deploy.appendingPathComponent(name), encoding: .utf8)
    }

    /// The example with every commented-out setting switched on: by the example's own convention, a line of
    /// `# ` followed by a key (or `- key`) is the setting with `# ` put in front at its indentation. `store` is
    /// left out, because opening the inventory would then connect to that PostgreSQL server.
    static func everySettingOn(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
            guard let (_, indent, setting) = line.wholeMatch(of: #/(\s*)# ((?:- )?[a-z_]+:(?: .*)?)/#)?.output else {
                return String(line)
            }
            return setting.hasPrefix("store:") ? nil : String(indent + setting)
        }.joined(separator: "\n")
    }

    /// `dbscout inventory` loads every setting (and checks each one) before it reads the inventory, so its exit
    /// status says whether the config loads.
    func inventory(config text: String, environment: [String: String] = [:]) throws -> CommandLineTests.Run {
        let config = scratch.appendingPathComponent("dbscout-\(UUID()).yaml")
        try text.write(to: config, atomically: true, encoding: .utf8)
        return try CommandLineTests.dbscout(
            ["inventory", "--config", config.path, "--state-dir", scratch.path, "--format", "json"],
            environment: environment
        )
    }

    @Test func theExampleConfigLoadsAsShipped() throws {
        let run = try inventory(config: try Self.example("dbscout.yaml"))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((document["findings"] as? [Any])?.isEmpty == true, "a fresh state directory holds nothing")
    }

    /// Each authentication mode reads its own keys from the example, with the secret from the environment (the
    /// environment's token, password or secret key wins over the example's *_file paths, which do not exist here).
    @Test(arguments: [
        ("token", "DBSCOUT_DBSS_TOKEN"), ("iam", "DBSCOUT_IAM_PASSWORD"), ("aksk", "DBSCOUT_DBSS_SECRET_KEY"),
    ])
    func everySettingTheExampleOffersLoads(mode: String, secret: String) throws {
        let text = Self.everySettingOn(try Self.example("dbscout.yaml"))
        for section in ["\ndbss:\n", "\n  iam:\n", "\n  access_key:", "\n  overrides:\n", "\n  interfaces:"] {
            #expect(text.contains(section), "the commented-out '\(section)' was not switched on")
        }
        let run = try inventory(config: text, environment: ["DBSCOUT_DBSS_AUTH": mode, secret: "deploy-test-secret"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(!(run.stdout + run.stderr).contains("deploy-test-secret"))
    }

    /// The two tests above would pass vacuously if `--config` were not read; a misspelt key shows that it is.
    @Test func aMisspeltKeyInTheExampleIsCaught() throws {
        let text = try Self.example("dbscout.yaml").replacingOccurrences(of: "max_rate:", with: "max_rates:")
        let run = try inventory(config: text)
        #expect(run.status == 2)
        #expect(run.stderr.contains("'max_rates'"), "stderr: \(run.stderr)")
    }

    /// Every DBSCOUT_* name the examples tell operators to set is one dbscout reads.
    @Test(arguments: ["dbscout.env.example", "dbscout.yaml"])
    func everyEnvironmentNameInTheExamplesExists(file: String) throws {
        let names = Set(try Self.example(file).matches(of: #/DBSCOUT_[A-Z_]+/#).map { String($0.output) })
        #expect(!names.isEmpty)
        let sources = try Self.swiftSources()
        for name in names.sorted() {
            #expect(sources.contains("\"\(name)\""), "\(file) names \(name), which no source file reads")
        }
    }

    static func swiftSources() throws -> String {
        let directory = root.appendingPathComponent("Sources")
        let files =
            FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        return try files.map { try String(contentsOf: $0, encoding: .utf8) }.joined(separator: "\n")
    }
}
