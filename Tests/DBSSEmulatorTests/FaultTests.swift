import DBSSEmulator
import Foundation
import Testing

@Suite("Fault injection")
struct FaultTests {
    @Test("a failure fault answers the next N DBSS requests with its status and code, then recovers")
    func failures() async throws {
        try await withEmulator { client in
            client.emulator.injectFault(.failure(status: 500, errorCode: "DBSS.11000000", count: 2))
            for _ in 0..<2 {
                let failed = try await client.add()
                #expect(failed.status == 500)
                let error = try failed.dbssError()
                #expect(error.code == "DBSS.11000000")
                #expect(error.message == "Internal system exception. Contact technical support engineers")
            }
            #expect(try await client.add().status == 200)
            #expect(client.emulator.databases().count == 1)
            #expect(client.emulator.requestLog().map(\.faultInjected) == [true, true, false])
            #expect(client.emulator.requestCount(.addDatabase, status: 500) == 2)
        }
    }

    @Test("a fault can target one operation and is checked before authentication")
    func targeted() async throws {
        try await withEmulator { client in
            client.emulator.injectFault(.failure(status: 503, errorCode: "DBSS.11000000", target: .addDatabase))
            #expect(try await client.send("GET", client.emulator.listDatabasesPath()).status == 200)
            #expect(try await client.send("POST", "/v3/auth/tokens", token: nil, body: "{}").status == 400)
            let failed = try await client.send("POST", client.emulator.addDatabasePath(), token: nil, body: "{}")
            #expect(failed.status == 503)
            #expect(try await client.add().status == 200)
        }
    }

    @Test("a delay fault holds the response back but the add takes effect")
    func delay() async throws {
        try await withEmulator { client in
            client.emulator.injectFault(.delay(.milliseconds(300), target: .addDatabase))
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await client.add()
            #expect(clock.now - start >= .milliseconds(300))
            #expect(response.status == 200)
            #expect(client.emulator.databases().count == 1)
            #expect(client.emulator.requestLog().first?.faultInjected == true)
        }
    }

    @Test("a close-connection fault drops the request without an answer or an effect")
    func closeConnection() async throws {
        try await withEmulator { client in
            client.emulator.injectFault(.closeConnection())
            await #expect(throws: (any Error).self) { try await client.add() }
            #expect(client.emulator.databases().isEmpty)
            let retried = try await client.add()
            #expect(retried.status == 200)
            #expect(client.emulator.requestLog().first?.status == nil)
        }
    }

    @Test("an IAM fault answers in the Keystone shape")
    func iamFault() async throws {
        try await withEmulator { client in
            client.emulator.injectFault(
                .failure(status: 500, errorCode: "IAM.0001", message: "down", target: .iamToken)
            )
            let response = try await client.send("POST", "/v3/auth/tokens", token: nil, body: "{}")
            #expect(response.status == 500)
            let error = try #require(try response.object()["error"] as? [String: Any])
            #expect(error["code"] as? Int == 500)
            #expect(error["message"] as? String == "down")
        }
    }

    @Test("a throttling fault answers 429 APIGW.0308 in the gateway shape with Retry-After")
    func throttled() async throws {
        try await withEmulator { client in
            client.emulator.injectFault(.throttled(retryAfter: 3, count: 2))
            for _ in 0..<2 {
                let response = try await client.add()
                #expect(response.status == 429)
                #expect(response.header("Retry-After") == "3")
                let error = try response.gatewayError()
                #expect(error.code == "APIGW.0308")
                #expect(error.message.hasPrefix("The throttling threshold has been reached"))
            }
            let recovered = try await client.add()
            #expect(recovered.status == 200)
            #expect(recovered.header("Retry-After") == nil)
            #expect(client.emulator.databases().count == 1)
        }
    }

    @Test("any failure can carry Retry-After; a DBSS code keeps the DBSS shape")
    func retryAfterOnFailure() async throws {
        try await withEmulator { client in
            client.emulator.injectFault(.failure(status: 503, retryAfter: 0))
            let response = try await client.add()
            #expect(response.status == 503)
            #expect(response.header("Retry-After") == "0")
            #expect(try response.dbssError().code == "DBSS.11000000")
        }
    }

    @Test("a drop-after-effect fault stores the database, then hangs up without an answer")
    func dropAfterEffect() async throws {
        try await withEmulator { client in
            client.emulator.injectFault(.dropAfterEffect(target: .addDatabase))
            await #expect(throws: (any Error).self) { try await client.add() }
            #expect(client.emulator.databases().count == 1)
            let entry = try #require(client.emulator.requestLog().first)
            #expect(entry.status == nil)
            #expect(entry.faultInjected)
            let listed = try await client.send("GET", client.emulator.listDatabasesPath()).object()
            #expect(listed["total"] as? Int == 1)
        }
    }

    @Test("a client hanging up during a delay leaves the add in place and the emulator serving")
    func hangUpDuringDelay() async throws {
        try await withEmulator { client in
            client.emulator.injectFault(.delay(.seconds(30), target: .addDatabase))
            do {
                let connection = try RawConnection(port: client.emulator.port)
                let body = DatabaseJSON().body
                try connection.transmit(
                    "POST \(client.emulator.addDatabasePath()) HTTP/1.1\r\nHost: localhost\r\n"
                        + "X-Auth-Token: \(testToken)\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
                )
                try await Self.waitUntil { client.emulator.databases().count == 1 }
            }  // the connection closes here, 30 s before the answer is due
            try await Self.waitUntil { client.emulator.openConnectionCount() == 0 }
            #expect(client.emulator.databases().count == 1)
            #expect(try await client.add(DatabaseJSON().setting("port", "3307")).status == 200)
            #expect(client.emulator.databases().count == 2)
        }
    }

    @Test("an expire-tokens fault expires IAM tokens just before the request it hits")
    func expireTokensFault() async throws {
        try await withEmulator(.testing(iamUsers: [IAMTests.user])) { client in
            let token = try await IAMTests.issueToken(client)
            #expect(try await client.send("GET", client.emulator.listDatabasesPath(), token: token).status == 200)
            client.emulator.injectFault(.expireTokens())
            let expired = try await client.send("GET", client.emulator.listDatabasesPath(), token: token)
            #expect(expired.status == 401)
            #expect(try expired.gatewayError().message.contains("token expires, expires_at: "))
            #expect(client.emulator.requestLog().last?.faultInjected == true)
            #expect(try await client.send("GET", client.emulator.listDatabasesPath()).status == 200)
        }
    }

    /// Polls `condition` every 20 ms for up to 10 s: long enough for a loaded machine, and only a
    /// guard against hanging, not a timing assertion.
    static func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(condition())
    }
}
