import DBSSEmulator
import Foundation
import Testing

@Suite("Admin routes and reset")
struct AdminTests {
    @Test("GET /_emulator/databases lists what was added, with ids, without a token")
    func databases() async throws {
        try await withEmulator { client in
            let id = try await client.add(version: .v1).object()["id"] as? String
            let response = try await client.send("GET", "/_emulator/databases", token: nil)
            #expect(response.status == 200)
            let list = try #require(JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [[String: Any]])
            #expect(list.count == 1)
            #expect(list.first?["id"] as? String == id)
            #expect(list.first?["api_version"] as? String == "v1")
            #expect(list.first?["ip"] as? String == "192.0.2.10")
        }
    }

    @Test(
        "POST /_emulator/faults queues a fault (Content-Type not required)",
        arguments: [
            (#"{"count":1,"status":500,"error_code":"DBSS.11000000"}"#, 500),
            (#"{"status":503,"target":"add"}"#, 503),
        ]
    )
    func faults(body: String, status: Int) async throws {
        try await withEmulator { client in
            let queued = try await client.send("POST", "/_emulator/faults", token: nil, contentType: nil, body: body)
            #expect(queued.status == 204)
            let failed = try await client.add()
            #expect(failed.status == status)
            #expect(try failed.dbssError().code == "DBSS.11000000")
            #expect(try await client.add().status == 200)
        }
    }

    @Test("a 429 fault over HTTP defaults to APIGW.0308 and carries retry_after_s as Retry-After")
    func throttlingFault() async throws {
        try await withEmulator { client in
            let body = #"{"status":429,"retry_after_s":2,"target":"add"}"#
            #expect(try await client.send("POST", "/_emulator/faults", token: nil, body: body).status == 204)
            #expect(try await client.send("GET", client.emulator.listDatabasesPath()).status == 200)
            let throttled = try await client.add()
            #expect(throttled.status == 429)
            #expect(throttled.header("Retry-After") == "2")
            #expect(try throttled.gatewayError().code == "APIGW.0308")
        }
    }

    @Test("drop-after-effect and expire-tokens faults can be queued over HTTP")
    func flagFaults() async throws {
        try await withEmulator(.testing(iamUsers: [IAMTests.user])) { client in
            let drop = #"{"drop_after_effect":true,"count":2}"#
            #expect(try await client.send("POST", "/_emulator/faults", token: nil, body: drop).status == 204)
            for port in ["3307", "3308"] {
                await #expect(throws: (any Error).self) { try await client.add(DatabaseJSON().setting("port", port)) }
            }
            #expect(client.emulator.databases().map(\.port) == ["3307", "3308"])

            let token = try await IAMTests.issueToken(client)
            let expire = #"{"expire_tokens":true,"target":"list"}"#
            #expect(try await client.send("POST", "/_emulator/faults", token: nil, body: expire).status == 204)
            #expect(try await client.send("GET", client.emulator.listDatabasesPath(), token: token).status == 401)
        }
    }

    @Test("a delay fault can be queued over HTTP")
    func delayFault() async throws {
        try await withEmulator { client in
            let body = #"{"count":1,"delay_ms":200}"#
            let queued = try await client.send("POST", "/_emulator/faults", token: nil, body: body)
            #expect(queued.status == 204)
            let clock = ContinuousClock()
            let start = clock.now
            let delayed = try await client.send("GET", client.emulator.listInstancesPath)
            #expect(delayed.status == 200)
            #expect(clock.now - start >= .milliseconds(200))
        }
    }

    @Test(
        "an invalid fault answers 400",
        arguments: [
            "nope", "{}", #"{"status":200}"#, #"{"status":500,"delay_ms":5}"#, #"{"count":0,"status":500}"#,
            #"{"status":500,"target":"everything"}"#, #"{"status":500,"extra":1}"#,
            #"{"retry_after_s":3}"#, #"{"status":429,"retry_after_s":-1}"#, #"{"delay_ms":5,"error_code":"X.1"}"#,
            #"{"drop_after_effect":true,"close_connection":true}"#, #"{"drop_after_effect":1}"#,
            #"{"expire_tokens":false}"#,
        ]
    )
    func invalidFault(_ body: String) async throws {
        try await withEmulator { client in
            let response = try await client.send("POST", "/_emulator/faults", token: nil, body: body)
            #expect(response.status == 400)
            #expect(try response.dbssError().code == "DBSS.10000001")
            #expect(try await client.add().status == 200)
        }
    }

    @Test("reset over HTTP and in process forgets databases, faults and the request log")
    func reset() async throws {
        try await withEmulator { client in
            _ = try await client.add()
            client.emulator.injectFault(.failure(count: 5))
            #expect(try await client.send("POST", "/_emulator/reset", token: nil).status == 204)
            #expect(client.emulator.databases().isEmpty)
            #expect(client.emulator.requestLog().isEmpty)
            #expect(try await client.add().status == 200)
            client.emulator.reset()
            #expect(client.emulator.databases().isEmpty)
            #expect(client.emulator.requestCount() == 0)
        }
    }

    @Test("GET /_emulator/requests returns the request log without admin requests")
    func requests() async throws {
        try await withEmulator { client in
            _ = try await client.add()
            _ = try await client.send("GET", "/_emulator/databases", token: nil)
            let response = try await client.send("GET", "/_emulator/requests", token: nil)
            let log = try #require(JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [[String: Any]])
            #expect(log.count == 1)
            #expect(log.first?["operation"] as? String == "add_database")
            #expect(log.first?["status"] as? Int == 200)
            #expect(log.first?["method"] as? String == "POST")
        }
    }
}
