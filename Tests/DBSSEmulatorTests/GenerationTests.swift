import DBSSEmulator
import Foundation
import Testing

@Suite("API generations switched off")
struct GenerationTests {
    @Test("with only v2, every v1 path answers 404 APIGW.0101 and is logged as what it was for")
    func v2Only() async throws {
        try await withEmulator(.testing(apiVersions: [.v2])) { client in
            let emulator = client.emulator
            let add = try await client.add(version: .v1)
            #expect(add.status == 404)
            let error = try add.gatewayError()
            #expect(error.code == "APIGW.0101")
            #expect(error.message == "The API does not exist or has not been published in the environment.")
            for path in [emulator.listDatabasesPath(.v1), emulator.listInstancesPath(.v1)] {
                let response = try await client.send("GET", path)
                #expect(response.status == 404)
                #expect(try response.gatewayError().code == "APIGW.0101")
            }
            #expect(emulator.databases().isEmpty)
            let first = try #require(emulator.requestLog().first)
            #expect(first.operation == .addDatabase)
            #expect(first.apiVersion == .v1)
            #expect(first.status == 404)

            #expect(try await client.add(version: .v2).status == 200)
            #expect(try await client.send("GET", emulator.listDatabasesPath(.v2)).status == 200)
            #expect(try await client.send("GET", emulator.listInstancesPath(.v2)).status == 200)
            #expect(emulator.databases().map(\.apiVersion) == [.v2])
        }
    }

    @Test("with only v1, the v2 paths (and the current instance list) answer 404 and v1 serves")
    func v1Only() async throws {
        try await withEmulator(.testing(apiVersions: [.v1])) { client in
            let emulator = client.emulator
            let add = try await client.add(version: .v2)
            #expect(add.status == 404)
            #expect(try add.gatewayError().code == "APIGW.0101")
            #expect(try await client.send("GET", emulator.listInstancesPath).status == 404)
            let fallback = try await client.add(version: .v1)
            #expect(fallback.status == 200)
            let instances = try await client.send("GET", emulator.listInstancesPath(.v1)).object()
            let server = try #require((instances["servers"] as? [[String: Any]])?.first)
            #expect(server["config_num"] as? Int == 1)
            #expect(emulator.requestLog().map(\.status) == [404, 404, 200, 200])
        }
    }

    @Test("an unpublished path answers 404 for any method, before faults and credentials")
    func beforeFaultsAndAuthentication() async throws {
        try await withEmulator(.testing(apiVersions: [.v2])) { client in
            client.emulator.injectFault(.failure(status: 500))
            let path = client.emulator.addDatabasePath(.v1)
            for method in ["POST", "PUT", "DELETE"] {
                let response = try await client.send(method, path, token: nil)
                #expect(response.status == 404)
                #expect(try response.gatewayError().code == "APIGW.0101")
            }
            #expect(try await client.add().status == 500)
            #expect(try await client.add().status == 200)
        }
    }

    @Test("unknown paths still answer the DBSS 404, and the IAM route is always served")
    func otherRoutes() async throws {
        try await withEmulator(.testing(iamUsers: [IAMTests.user], apiVersions: [.v1])) { client in
            let missing = try await client.send("GET", "/v3/nothing")
            #expect(try missing.dbssError().code == "DBSS.10021004")
            #expect(try await IAMTests.issueToken(client).hasPrefix("MII"))
        }
    }

    @Test("an empty generation set is refused at start")
    func emptyGenerations() async throws {
        let error = await #expect(throws: DBSSEmulatorError.self) {
            _ = try await DBSSEmulator.start(DBSSEmulatorConfiguration(apiVersions: []))
        }
        #expect(error?.code == .invalidConfiguration)
    }
}
