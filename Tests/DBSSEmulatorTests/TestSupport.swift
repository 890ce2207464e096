import AsyncHTTPClient
import DBSSEmulator
import Foundation
import NIOCore
import Testing

/// The static token every test emulator accepts.
let testToken = "test-token-5b1f0c"

extension DBSSEmulatorConfiguration {
    /// A loopback emulator on an ephemeral port accepting ``testToken``.
    static func testing(
        databaseLimit: Int = 50,
        rejectDuplicates: Bool = false,
        iamUsers: [IAMUser] = [],
        tokenLifetime: Duration = .seconds(3600),
        maxBodySize: Int = 1 << 20
    ) -> DBSSEmulatorConfiguration {
        DBSSEmulatorConfiguration(
            validTokens: [testToken],
            iamUsers: iamUsers,
            tokenLifetime: tokenLifetime,
            databaseLimit: databaseLimit,
            rejectDuplicates: rejectDuplicates,
            maxBodySize: maxBodySize
        )
    }
}

/// Starts an emulator, runs `body` with a client for it, and always shuts the emulator down.
func withEmulator<Result>(
    _ configuration: DBSSEmulatorConfiguration = .testing(),
    _ body: (TestClient) async throws -> Result
) async throws -> Result {
    let emulator = try await DBSSEmulator.start(configuration)
    do {
        let result = try await body(TestClient(emulator: emulator))
        try await emulator.shutdown()
        return result
    } catch {
        try? await emulator.shutdown()
        throw error
    }
}

/// A response read in full, with the status as an `Int` and the body as text.
struct TestResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: String

    /// The first value of header `name`, compared case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "body: \(body)")
    }

    /// `error_code` and `error_msg` of the DBSS shape `{"error":{"error_code":…,"error_msg":…}}`.
    func dbssError() throws -> (code: String, message: String) {
        let error = try #require(try object()["error"] as? [String: Any], "body: \(body)")
        let code = try #require(error["error_code"] as? String)
        let message = try #require(error["error_msg"] as? String)
        return (code, message)
    }
}

/// Sends requests to one emulator with AsyncHTTPClient over loopback.
///
/// `HTTPMethod`, `HTTPHeaders` and `HTTPResponseStatus` are NIOHTTP1 types, and this target may
/// only import AsyncHTTPClient and NIOCore (member lookups into NIOHTTP1 are refused under
/// `MemberImportVisibility`). So the method is built through `RawRepresentable`, the headers
/// through `ExpressibleByDictionaryLiteral` and the status read from its `description`: all
/// standard-library protocols, reached generically.
struct TestClient: Sendable {
    let emulator: DBSSEmulator

    /// Sends one request; `token` goes to `X-Auth-Token`, `contentType` to `Content-Type`.
    func send(
        _ method: String,
        _ path: String,
        token: String? = testToken,
        contentType: String? = "application/json;charset=UTF-8",
        body: String? = nil
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: emulator.baseURL + path)
        request.method = Self.rawRepresentable(method)
        request.headers = Self.headers(token: token, contentType: contentType)
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 4 << 20)
        let status = Int("\(response.status)".prefix { $0.isNumber }) ?? 0
        let headers = response.headers.map { (name: $0.name, value: $0.value) }
        return TestResponse(status: status, headers: headers, body: String(buffer: bytes))
    }

    /// Adds a database through `version`'s path.
    func add(_ database: DatabaseJSON = DatabaseJSON(), version: DBSSAPIVersion = .v2) async throws -> TestResponse {
        try await send("POST", emulator.addDatabasePath(version), body: database.body)
    }

    private static func headers<Headers: ExpressibleByDictionaryLiteral>(
        token: String?,
        contentType: String?
    ) -> Headers where Headers.Key == String, Headers.Value == String {
        switch (token, contentType) {
        case (let token?, let contentType?): ["X-Auth-Token": token, "Content-Type": contentType]
        case (let token?, nil): ["X-Auth-Token": token]
        case (nil, let contentType?): ["Content-Type": contentType]
        case (nil, nil): [:]
        }
    }

    private static func rawRepresentable<Value: RawRepresentable>(_ raw: Value.RawValue) -> Value {
        guard let value = Value(rawValue: raw) else { preconditionFailure("invalid raw value \(raw)") }
        return value
    }
}

/// Builds add-database bodies field by field, each value as raw JSON text so tests can send
/// numbers, booleans and nulls where strings are expected.
struct DatabaseJSON: Sendable, CustomTestStringConvertible {
    var fields: [(key: String, json: String)] = [
        ("db_classification", #""ECS""#),
        ("name", #""orders""#),
        ("type", #""MYSQL""#),
        ("version", #""8.0""#),
        ("charset", #""UTF8""#),
        ("ip", #""192.0.2.10""#),
        ("port", #""3306""#),
        ("os", #""LINUX64""#),
        ("instance_name", #""orders-primary""#),
    ]

    /// Sets `key` to the raw JSON `json`, adding the key if absent.
    func setting(_ key: String, json: String) -> DatabaseJSON {
        var copy = self
        if let index = copy.fields.firstIndex(where: { $0.key == key }) {
            copy.fields[index].json = json
        } else {
            copy.fields.append((key, json))
        }
        return copy
    }

    /// Sets `key` to the JSON string `text`.
    func setting(_ key: String, _ text: String) -> DatabaseJSON {
        setting(key, json: "\"\(text)\"")
    }

    /// Drops `key`.
    func removing(_ key: String) -> DatabaseJSON {
        var copy = self
        copy.fields.removeAll { $0.key == key }
        return copy
    }

    /// `{"database":{…}}`.
    var body: String {
        "{\"database\":{" + fields.map { "\"\($0.key)\":\($0.json)" }.joined(separator: ",") + "}}"
    }

    var testDescription: String { body }
}
