import DBSSEmulator
import DBScoutCore
import DBScoutTestSupport
import Foundation
import Testing

/// Each DBSS authentication as an operator sets it up, through the `dbscout` process and the emulator over HTTP:
/// the database is registered, and no secret appears in anything the process printed, at debug level.
@Suite("DBSS authentication modes", .enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
struct AuthModesTests {
    static let iamPassword = "iam-Pa55-word-271"
    static let secretKey = "sk-0123456789abcdef-828"
    static let staticToken = "static-token-1618"

    enum Mode: String, CaseIterable {
        case token, iam, aksk
    }

    @Test(arguments: Mode.allCases)
    func eachModeRegistersAndKeepsItsSecret(_ mode: Mode) async throws {
        let emulator = try await DBSSEmulator.start(
            DBSSEmulatorConfiguration(
                validTokens: [Self.staticToken],
                iamUsers: [IAMUser(name: "scout", password: Self.iamPassword, domain: "acme")],
                accessKeys: ["AKSCOUT": Self.secretKey]
            )
        )
        let folder = try #require(PcapTrace.sharedTestData)
        var environment = [
            "DBSCOUT_STATE_DIR": NSTemporaryDirectory() + "dbscout-auth-\(UUID())",
            "DBSCOUT_DBSS_ENDPOINT": emulator.baseURL, "DBSCOUT_DBSS_PROJECT_ID": emulator.configuration.projectID,
            "DBSCOUT_DBSS_INSTANCE_ID": emulator.configuration.instanceID, "DBSCOUT_DBSS_AUTH": mode.rawValue,
            "DBSCOUT_DBSS_API_VERSION": "auto",
        ]
        switch mode {
        case .token: environment["DBSCOUT_DBSS_TOKEN"] = Self.staticToken
        case .iam:
            environment.merge([
                "DBSCOUT_IAM_ENDPOINT": emulator.baseURL, "DBSCOUT_IAM_USER": "scout",
                "DBSCOUT_IAM_PASSWORD": Self.iamPassword, "DBSCOUT_IAM_DOMAIN": "acme",
            ]) { $1 }
        case .aksk:
            environment.merge(["DBSCOUT_DBSS_ACCESS_KEY": "AKSCOUT", "DBSCOUT_DBSS_SECRET_KEY": Self.secretKey]) { $1 }
        }
        let run = try CommandLineTests.dbscout(
            [
                "sniff", "-vv", "--format", "json", "--read",
                folder.appendingPathComponent("captures/pg15-login-ok-md5-select-version.pcap").path,
            ],
            environment: environment
        )
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(emulator.databases().map { "\($0.ip):\($0.port)" } == ["127.0.0.1:5432"])
        let issued = emulator.requestLog().filter { $0.operation == .issueToken }.count
        #expect(issued == (mode == .iam ? 1 : 0))
        let printed = run.stdout + run.stderr
        for secret in [Self.iamPassword, Self.secretKey, Self.staticToken] {
            #expect(!printed.contains(secret), "\(mode) printed a secret")
        }
        try await emulator.shutdown()
    }
}
