import AsyncHTTPClient
import DBSSEmulator
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The static token every test emulator accepts.
let testToken = "test-token-5b1f0c"
/// The access key every test emulator accepts, and its secret key.
let testAccessKey = "HPUATESTACCESSKEY01"
let testSecretKey = "test/Secret+Key=9f2c"

extension DBSSEmulatorConfiguration {
    /// A loopback emulator on an ephemeral port accepting ``testToken`` and ``testAccessKey``.
    static func testing(
        databaseLimit: Int = 50,
        rejectDuplicates: Bool = false,
        iamUsers: [IAMUser] = [],
        tokenLifetime: Duration = .seconds(3600),
        maxBodySize: Int = 1 << 20,
        accessKeys: [String: String] = [testAccessKey: testSecretKey],
        apiVersions: Set<DBSSAPIVersion> = [.v1, .v2]
    ) -> DBSSEmulatorConfiguration {
        DBSSEmulatorConfiguration(
            validTokens: [testToken],
            iamUsers: iamUsers,
            accessKeys: accessKeys,
            apiVersions: apiVersions,
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

    /// `error_code` and `error_msg` of API Gateway's shape `{"error_code":…,"error_msg":…,"request_id":…}`,
    /// after checking that `request_id` is the `X-Request-Id` header.
    func gatewayError() throws -> (code: String, message: String) {
        let object = try object()
        let code = try #require(object["error_code"] as? String, "body: \(body)")
        let message = try #require(object["error_msg"] as? String, "body: \(body)")
        #expect(object["request_id"] as? String == header("X-Request-Id"))
        #expect(object["error"] == nil)
        return (code, message)
    }

    /// `error_code` and `error_msg` of the DBSS shape `{"error":{"error_code":…,"error_msg":…}}`.
    func dbssError() throws -> (code: String, message: String) {
        let error = try #require(try object()["error"] as? [String: Any], "body: \(body)")
        let code = try #require(error["error_code"] as? String)
        let message = try #require(error["error_msg"] as? String)
        return (code, message)
    }
}

/// Sends `request` to `baseURL` with AsyncHTTPClient and reads the whole answer.
func send(_ request: TestRequest, to baseURL: String) async throws -> TestResponse {
    let query = request.query.isEmpty ? "" : "?" + request.query
    var outgoing = HTTPClientRequest(url: baseURL + request.path + query)
    outgoing.method = HTTPMethod(rawValue: request.method)
    outgoing.headers = HTTPHeaders(request.headers.map { ($0.name, $0.value) })
    if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
    let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(10))
    let bytes = try await response.body.collect(upTo: 4 << 20)
    let headers = response.headers.map { (name: $0.name, value: $0.value) }
    return TestResponse(status: Int(response.status.code), headers: headers, body: String(buffer: bytes))
}

/// Sends requests to one emulator with AsyncHTTPClient over loopback.
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
        let parts = path.split(separator: "?", maxSplits: 1).map(String.init)
        var request = TestRequest(method: method, path: parts[0], query: parts.count > 1 ? parts[1] : "")
        request = request.setting("X-Auth-Token", token).setting("Content-Type", contentType)
        request.body = Array((body ?? "").utf8)
        return try await send(request)
    }

    /// Sends `request` as it is.
    func send(_ request: TestRequest) async throws -> TestResponse {
        try await DBSSEmulatorTests.send(request, to: emulator.baseURL)
    }

    /// Adds a database through `version`'s path.
    func add(_ database: DatabaseJSON = DatabaseJSON(), version: DBSSAPIVersion = .v2) async throws -> TestResponse {
        try await send("POST", emulator.addDatabasePath(version), body: database.body)
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
