import DBSSEmulator
import Testing

/// One invalid add request and a fragment its error message must contain.
struct InvalidBody: Sendable, CustomTestStringConvertible {
    var label: String
    var body: String
    var fragment: String

    init(_ label: String, _ database: DatabaseJSON, _ fragment: String) {
        self.init(label, body: database.body, fragment)
    }

    init(_ label: String, body: String, _ fragment: String) {
        self.label = label
        self.body = body
        self.fragment = fragment
    }

    var testDescription: String { label }
}

@Suite("Add-database validation")
struct ValidationTests {
    static let invalidBodies: [InvalidBody] = [
        InvalidBody(
            "port as a number",
            DatabaseJSON().setting("port", json: "3306"),
            "'database.port' must be a string"
        ),
        InvalidBody("charset as a boolean", DatabaseJSON().setting("charset", json: "true"), "got boolean"),
        InvalidBody("instance_name null", DatabaseJSON().setting("instance_name", json: "null"), "got null"),
        InvalidBody("missing version", DatabaseJSON().removing("version"), "missing required field 'database.version'"),
        InvalidBody("missing db_classification", DatabaseJSON().removing("db_classification"), "db_classification"),
        InvalidBody(
            "unknown type",
            DatabaseJSON().setting("type", "MSSQL"),
            "'database.type' has invalid value 'MSSQL'"
        ),
        InvalidBody("lower-case type", DatabaseJSON().setting("type", "mysql"), "'database.type'"),
        InvalidBody("MARIADB is RDS-only", DatabaseJSON().setting("type", "MARIADB"), "'database.type'"),
        InvalidBody("charset UTF-8", DatabaseJSON().setting("charset", "UTF-8"), "'database.charset'"),
        InvalidBody("unknown os", DatabaseJSON().setting("os", "LINUX"), "'database.os'"),
        InvalidBody("unknown classification", DatabaseJSON().setting("db_classification", "BMS"), "db_classification"),
        InvalidBody("unknown field", DatabaseJSON().setting("comment", "x"), "unknown field 'database.comment'"),
        InvalidBody("empty name", DatabaseJSON().setting("name", ""), "'database.name' must not be empty"),
        InvalidBody("blank version", DatabaseJSON().setting("version", "  "), "'database.version' must not be empty"),
        InvalidBody("control character", DatabaseJSON().setting("name", "a\\u0000b"), "control characters"),
        InvalidBody("IPv4 octet over 255", DatabaseJSON().setting("ip", "300.1.1.1"), "'database.ip'"),
        InvalidBody("host name as ip", DatabaseJSON().setting("ip", "db.example.com"), "'database.ip'"),
        InvalidBody("IPv4 with leading zero", DatabaseJSON().setting("ip", "010.0.0.1"), "'database.ip'"),
        InvalidBody("IPv6 with zone", DatabaseJSON().setting("ip", "fe80::1%eth0"), "'database.ip'"),
        InvalidBody("port 0", DatabaseJSON().setting("port", "0"), "'database.port'"),
        InvalidBody("port 65536", DatabaseJSON().setting("port", "65536"), "'database.port'"),
        InvalidBody("port with letters", DatabaseJSON().setting("port", "33o6"), "'database.port'"),
        InvalidBody("port with sign", DatabaseJSON().setting("port", "+3306"), "'database.port'"),
        InvalidBody("not JSON", body: "{\"database\":", "not valid JSON"),
        InvalidBody("top-level array", body: "[]", "must be a JSON object"),
        InvalidBody("capitalised Database key", body: "{\"Database\":{}}", "missing required field 'database'"),
        InvalidBody(
            "extra top-level key",
            body: String(DatabaseJSON().body.dropLast()) + ",\"x\":1}",
            "unknown field 'x'"
        ),
        InvalidBody("database is a string", body: "{\"database\":\"mysql\"}", "'database' must be an object"),
        InvalidBody("empty body", body: "", "not valid JSON"),
    ]

    @Test("invalid bodies answer 400 DBSS.10000001 naming the problem", arguments: invalidBodies)
    func invalidBody(_ invalid: InvalidBody) async throws {
        try await withEmulator { client in
            let response = try await client.send("POST", client.emulator.addDatabasePath(), body: invalid.body)
            #expect(response.status == 400)
            let error = try response.dbssError()
            #expect(error.code == "DBSS.10000001")
            #expect(error.message.hasPrefix("Enter a valid request message: "))
            #expect(error.message.contains(invalid.fragment), "message: \(error.message)")
            #expect(client.emulator.databases().isEmpty)
        }
    }

    @Test("a body that is not declared as JSON is rejected", arguments: ["text/plain", "application/jsonx", nil])
    func contentType(_ contentType: String?) async throws {
        try await withEmulator { client in
            let path = client.emulator.addDatabasePath(.v1)
            let response = try await client.send("POST", path, contentType: contentType, body: DatabaseJSON().body)
            #expect(response.status == 400)
            #expect(try response.dbssError().message.contains("Content-Type"))
            #expect(client.emulator.databases().isEmpty)
        }
    }

    @Test("a missing X-Auth-Token answers 401 in the API Gateway shape")
    func missingToken() async throws {
        try await withEmulator { client in
            let response = try await client.send("POST", client.emulator.addDatabasePath(), token: nil, body: "{}")
            #expect(response.status == 401)
            let object = try response.object()
            #expect(object["error_code"] as? String == "APIGW.0301")
            #expect(
                object["error_msg"] as? String
                    == "Incorrect IAM authentication information: x-auth-token not found"
            )
            let requestID = try #require(object["request_id"] as? String)
            #expect(requestID.count == 32)
            #expect(response.header("X-Request-Id") == requestID)
        }
    }

    @Test("an unknown token answers 401 DBSS.10020100 in the DBSS shape", arguments: ["wrong", ""])
    func invalidToken(_ token: String) async throws {
        try await withEmulator { client in
            let response = try await client.send("POST", client.emulator.addDatabasePath(), token: token, body: "{}")
            #expect(response.status == 401)
            if token.isEmpty {
                #expect(try response.object()["error_code"] as? String == "APIGW.0301")
            } else {
                let error = try response.dbssError()
                #expect(error.code == "DBSS.10020100")
                #expect(error.message == "Failed to authenticate the token in the request")
            }
        }
    }

    @Test("a wrong instance id answers 400 DBSS.10020021, a wrong project 403")
    func wrongIdentifiers() async throws {
        try await withEmulator { client in
            let project = client.emulator.configuration.projectID
            let instance = client.emulator.configuration.instanceID
            let body = DatabaseJSON().body
            let wrongInstance = try await client.send("POST", "/v2/\(project)/audit/other/databases", body: body)
            #expect(wrongInstance.status == 400)
            #expect(try wrongInstance.dbssError().code == "DBSS.10020021")
            #expect(try wrongInstance.dbssError().message == "Invalid request parameter ID.")
            let wrongProject = try await client.send("POST", "/v1/other/\(instance)/audit/databases", body: body)
            #expect(wrongProject.status == 403)
            #expect(try wrongProject.dbssError().code == "DBSS.10020100")
            #expect(client.emulator.databases().isEmpty)
        }
    }
}
