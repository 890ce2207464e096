import DBSSClient
import DBScoutAgent
import DBScoutCore
import Foundation
import Testing

/// The issue's environment names for each DBSS authentication, the shared store, and secret files.
@Suite("Authentication and store settings")
struct AuthSettingsTests {
    private let place = [
        "DBSCOUT_DBSS_ENDPOINT": "https://dbss.example:443", "DBSCOUT_DBSS_PROJECT_ID": "p1",
        "DBSCOUT_DBSS_INSTANCE_ID": "i1",
    ]

    private func load(_ environment: [String: String], _ overrides: SettingsOverrides = SettingsOverrides()) throws
        -> AgentSettings
    {
        try AgentSettings.load(environment: environment, overrides: overrides)
    }

    private func secretFile(_ text: String, mode: Int) throws -> String {
        let path = NSTemporaryDirectory() + "dbscout-secret-\(UUID())"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test func iamFromTheEnvironment() throws {
        let settings = try load(
            place.merging([
                "DBSCOUT_DBSS_AUTH": "iam", "DBSCOUT_IAM_ENDPOINT": "https://iam.example", "DBSCOUT_IAM_USER": "scout",
                "DBSCOUT_IAM_PASSWORD": "iam-pass-1", "DBSCOUT_IAM_DOMAIN": "acme",
            ]) { $1 }
        )
        guard case .iam(let credentials) = try #require(settings.dbss).authentication else {
            Issue.record("not IAM: \(String(describing: settings.dbss))")
            return
        }
        #expect(
            credentials.user == "scout" && credentials.domain == "acme" && credentials.endpoint == "https://iam.example"
        )
        #expect(credentials.password.reveal() == "iam-pass-1")
        #expect(!"\(settings.dbss!)".contains("iam-pass-1"))
    }

    @Test func accessKeysFromTheEnvironmentAreChosenWithoutNamingTheMode() throws {
        let settings = try load(
            place.merging(["DBSCOUT_DBSS_ACCESS_KEY": "AK123", "DBSCOUT_DBSS_SECRET_KEY": "sk-secret-9"]) { $1 }
        )
        guard case .accessKey(let ak, let sk, _) = try #require(settings.dbss).authentication else {
            Issue.record("not AK/SK")
            return
        }
        #expect(ak == "AK123" && sk.reveal() == "sk-secret-9")
        #expect(!"\(settings.dbss!)".contains("sk-secret-9"))
    }

    @Test(arguments: [
        (["DBSCOUT_DBSS_AUTH": "iam", "DBSCOUT_IAM_USER": "u"], "DBSCOUT_IAM_PASSWORD"),
        (["DBSCOUT_DBSS_AUTH": "aksk", "DBSCOUT_DBSS_ACCESS_KEY": "AK"], "DBSCOUT_DBSS_SECRET_KEY"),
        (["DBSCOUT_DBSS_AUTH": "kerberos"], "not token, iam or aksk"),
        (["DBSCOUT_DBSS_AUTH": "token"], "DBSCOUT_DBSS_TOKEN"),
        (["DBSCOUT_DBSS_TOKEN": "t", "DBSCOUT_DBSS_API_VERSION": "v9"], "not v1, v2 or auto"),
    ])
    func incompleteOrWrongAuthIsNamed(extra: [String: String], message: String) {
        #expect {
            _ = try load(place.merging(extra) { $1 })
        } throws: { error in
            (error as? DBScoutError)?.message.contains(message) == true
        }
    }

    @Test func autoAPIVersionCAAndProxy() throws {
        let settings = try load(
            place.merging([
                "DBSCOUT_DBSS_TOKEN": "t", "DBSCOUT_DBSS_API_VERSION": "auto", "DBSCOUT_DBSS_CA_BUNDLE": "/etc/ca.pem",
                "HTTPS_PROXY": "http://proxy.internal:3128",
            ]) { $1 }
        )
        let dbss = try #require(settings.dbss)
        #expect(dbss.apiVersion == .auto && dbss.caBundlePath == "/etc/ca.pem")
        #expect(dbss.proxy == "http://proxy.internal:3128")
    }

    @Test func aSecretFileOthersCanReadIsUsedWithAWarning() throws {
        let open = try secretFile("token-in-open-file\n", mode: 0o644)
        let closed = try secretFile("token-in-closed-file\n", mode: 0o600)
        let warned = try load(place.merging(["DBSCOUT_DBSS_TOKEN_FILE": open]) { $1 })
        #expect(warned.dbss?.token?.reveal() == "token-in-open-file")
        #expect(warned.warnings.count == 1 && warned.warnings[0].contains(open))
        let quiet = try load(place.merging(["DBSCOUT_DBSS_TOKEN_FILE": closed]) { $1 })
        #expect(quiet.warnings.isEmpty)
    }

    @Test func thePostgresStoreTakesItsPasswordFromTheEnvironmentOnly() throws {
        let settings = try load(
            ["DBSCOUT_STORE": "postgres://scout@db.internal/inventory", "DBSCOUT_STORE_PASSWORD": "store-pass-3"]
        )
        guard case .postgres(let url, let password) = settings.store else {
            Issue.record("not PostgreSQL: \(settings.store)")
            return
        }
        #expect(url == "postgres://scout@db.internal/inventory" && password?.reveal() == "store-pass-3")
        var flags = SettingsOverrides()
        flags.store = "postgres://scout:visible@db.internal/inventory"
        #expect {
            _ = try load([:], flags)
        } throws: { error in
            let message = (error as? DBScoutError)?.message ?? ""
            return message.contains("DBSCOUT_STORE_PASSWORD") && !message.contains("visible")
        }
        guard case .sqlite = try load([:]).store else {
            Issue.record("the default store is not SQLite")
            return
        }
    }
}
