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
}
