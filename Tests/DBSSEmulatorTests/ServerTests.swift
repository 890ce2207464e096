import DBSSEmulator
import Foundation
import Testing

@Suite("HTTP server behaviour")
struct ServerTests {
    @Test("an unknown path answers 404 DBSS.10021004, a wrong method 405 with Allow")
    func routing() async throws {
        try await withEmulator { client in
            let missing = try await client.send("GET", "/v1/nothing/here")
            #expect(missing.status == 404)
            #expect(try missing.dbssError().code == "DBSS.10021004")
            let trailingSlash = try await client.send("POST", client.emulator.addDatabasePath() + "/")
            #expect(trailingSlash.status == 404)
            let wrongMethod = try await client.send("PUT", client.emulator.addDatabasePath(.v1))
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "POST")
            #expect(client.emulator.requestCount(.unknown) == 3)
        }
    }

    @Test("a body over the cap answers 413 and the server keeps serving")
    func bodyTooLarge() async throws {
        try await withEmulator(.testing(maxBodySize: 1024)) { client in
            let large = DatabaseJSON().setting("name", String(repeating: "x", count: 4096))
            let response = try await client.add(large)
            #expect(response.status == 413)
            #expect(try response.object()["error_code"] as? String == "APIGW.0201")
            #expect(try await client.add().status == 200)
        }
    }

    @Test("a malformed request gets 400 and does not disturb the server")
    func malformedRequest() async throws {
        try await withEmulator { client in
            let connection = try RawConnection(port: client.emulator.port)
            try connection.transmit("THIS IS NOT HTTP\r\n\r\n")
            let answer = connection.receive()
            #expect(answer.hasPrefix("HTTP/1.1 400"))
            #expect(try await client.add().status == 200)
        }
    }

    @Test("keep-alive: pipelined requests on one connection are all answered in order")
    func keepAlive() async throws {
        try await withEmulator { client in
            let connection = try RawConnection(port: client.emulator.port)
            let path = client.emulator.listDatabasesPath()
            let request = "GET \(path) HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: \(testToken)\r\n\r\n"
            try connection.transmit(request + request + "GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let answer = connection.receive { $0.components(separatedBy: "HTTP/1.1 ").count > 3 && $0.hasSuffix("}") }
            let statuses = answer.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
            #expect(statuses == ["200", "200", "404"])
            #expect(client.emulator.requestCount(.listDatabases) == 2)
        }
    }

    @Test("shutdown closes the listener and may be called twice")
    func shutdown() async throws {
        let emulator = try await DBSSEmulator.start(.testing())
        let port = emulator.port
        #expect(port > 0)
        #expect(emulator.baseURL == "http://127.0.0.1:\(port)")
        try await emulator.shutdown()
        try await emulator.shutdown()
        #expect(throws: RawConnectionError.self) { _ = try RawConnection(port: port) }
    }

    @Test("an invalid configuration or a port in use is refused at start")
    func invalidConfiguration() async throws {
        await #expect(throws: DBSSEmulatorError.self) {
            _ = try await DBSSEmulator.start(DBSSEmulatorConfiguration(instanceID: ""))
        }
        await #expect(throws: DBSSEmulatorError.self) {
            _ = try await DBSSEmulator.start(DBSSEmulatorConfiguration(port: 70_000))
        }
        try await withEmulator { client in
            let error = await #expect(throws: DBSSEmulatorError.self) {
                _ = try await DBSSEmulator.start(DBSSEmulatorConfiguration(port: client.emulator.port))
            }
            #expect(error?.code == .bindFailed)
        }
    }
}
