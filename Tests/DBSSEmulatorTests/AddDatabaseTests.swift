import DBSSEmulator
import Foundation
import Testing

@Suite("Add self-built database")
struct AddDatabaseTests {
    /// The documented example ID `Fadq-Y4B51p4J06sRc4F`: 20 characters of `[A-Za-z0-9_-]`.
    static func isDatabaseID(_ id: String) -> Bool {
        id.count == 20 && id.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" || $0 == "-" }
    }

    @Test("v1 and v2 add answer 200 with a 20-character id", arguments: [DBSSAPIVersion.v1, .v2])
    func addSucceeds(version: DBSSAPIVersion) async throws {
        try await withEmulator { client in
            let response = try await client.add(version: version)
            #expect(response.status == 200)
            let object = try response.object()
            #expect(object.count == 1)
            let id = try #require(object["id"] as? String)
            #expect(Self.isDatabaseID(id))
            let stored = client.emulator.databases()
            #expect(stored.map(\.id) == [id])
            #expect(stored.first?.apiVersion == version)
            #expect(stored.first?.port == "3306")
            #expect(stored.first?.status == "OFF")
            #expect(client.emulator.requestCount(.addDatabase, status: 200) == 1)
        }
    }

    @Test("the documented example request is accepted")
    func documentedExample() async throws {
        try await withEmulator { client in
            let body = """
                {"database":{"name":"test","type":"POSTGRESQL","version":"12","charset":"UTF8","ip":"1.1.1.1",\
                "port":"66","instance_name":"testaaa","os":"LINUX64","db_classification":"ECS"}}
                """
            let response = try await client.send("POST", client.emulator.addDatabasePath(.v1), body: body)
            #expect(response.status == 200)
            #expect(client.emulator.databases().first?.instanceName == "testaaa")
        }
    }

    @Test("IPv6 addresses, RDS, instance_name omitted and a charset parameter are accepted")
    func acceptedVariants() async throws {
        try await withEmulator { client in
            let database = DatabaseJSON().setting("ip", "2001:db8::10").setting("db_classification", "RDS")
                .removing("instance_name")
            let response = try await client.send(
                "POST",
                client.emulator.addDatabasePath(),
                contentType: "Application/JSON; charset=utf-8",
                body: database.body
            )
            #expect(response.status == 200)
            #expect(client.emulator.databases().first?.instanceName == nil)
        }
    }

    @Test("adding the same ip and port twice creates two records by default")
    func duplicatesAreRecorded() async throws {
        try await withEmulator { client in
            let first = try await client.add()
            let second = try await client.add(version: .v1)
            #expect(first.status == 200 && second.status == 200)
            let ids = client.emulator.databases().map(\.id)
            #expect(ids.count == 2)
            #expect(Set(ids).count == 2)
        }
    }

    @Test("rejectDuplicates answers 400 DBSS.10020102 for a known ip and port")
    func duplicatesRejected() async throws {
        try await withEmulator(.testing(rejectDuplicates: true)) { client in
            #expect(try await client.add(DatabaseJSON().setting("ip", "2001:db8::1")).status == 200)
            let again = try await client.add(DatabaseJSON().setting("ip", "2001:db8:0::0001").setting("name", "other"))
            #expect(again.status == 400)
            #expect(try again.dbssError().code == "DBSS.10020102")
            #expect(
                try await client.add(DatabaseJSON().setting("ip", "2001:db8::1").setting("port", "3307")).status == 200
            )
            #expect(client.emulator.databases().count == 2)
        }
    }

    @Test("adding beyond database_limit answers 400 DBSS.10020118")
    func limitExceeded() async throws {
        try await withEmulator(.testing(databaseLimit: 2)) { client in
            #expect(try await client.add().status == 200)
            #expect(try await client.add(DatabaseJSON().setting("port", "3307")).status == 200)
            let third = try await client.add(DatabaseJSON().setting("port", "3308"))
            #expect(third.status == 400)
            let error = try third.dbssError()
            #expect(error.code == "DBSS.10020118")
            #expect(error.message == "Failed to add database, exceeding the limit")
            #expect(client.emulator.databases().count == 2)
        }
    }
}
