import DBSSEmulator
import Foundation
import Testing

@Suite("List databases and instances")
struct ListTests {
    @Test("list returns what was added, every field a string, wrapped in \"database\"")
    func listsAddedDatabases() async throws {
        try await withEmulator { client in
            let added = try await client.add(DatabaseJSON().setting("ip", "192.0.2.20")).object()["id"] as? String
            let response = try await client.send("GET", client.emulator.listDatabasesPath(.v1))
            #expect(response.status == 200)
            let object = try response.object()
            #expect(object["total"] as? Int == 1)
            let entries = try #require(object["databases"] as? [[String: Any]])
            let database = try #require(entries.first?["database"] as? [String: Any])
            #expect(database["id"] as? String == added)
            let expected = [
                "ip": "192.0.2.20", "port": "3306", "type": "MYSQL", "version": "8.0", "charset": "UTF8",
                "os": "LINUX64", "name": "orders", "instance_name": "orders-primary", "db_classification": "ECS",
                "status": "OFF", "audit_status": "ACTIVE",
            ]
            for (key, value) in expected {
                #expect(database[key] as? String == value, "field \(key)")
            }
            #expect((database["agent_url"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("offset and limit page through the records in order on v1 and v2", arguments: [DBSSAPIVersion.v1, .v2])
    func paging(version: DBSSAPIVersion) async throws {
        try await withEmulator { client in
            for port in 5001...5005 {
                #expect(try await client.add(DatabaseJSON().setting("port", String(port))).status == 200)
            }
            let path = client.emulator.listDatabasesPath(version)
            let page = try await client.send("GET", path + "?offset=1&limit=2").object()
            #expect(page["total"] as? Int == 5)
            #expect(Self.ports(page) == ["5002", "5003"])
            let last = try await client.send("GET", path + "?offset=4&limit=10").object()
            #expect(Self.ports(last) == ["5005"])
            let beyond = try await client.send("GET", path + "?offset=9").object()
            #expect(Self.ports(beyond).isEmpty)
            #expect(beyond["total"] as? Int == 5)
            let all = try await client.send("GET", path).object()
            #expect(Self.ports(all) == ["5001", "5002", "5003", "5004", "5005"])
        }
    }

    @Test("the documented bounds are accepted: limit 1 and 10000 for databases, 1000 for instances")
    func bounds() async throws {
        try await withEmulator { client in
            for port in 5001...5003 {
                #expect(try await client.add(DatabaseJSON().setting("port", String(port))).status == 200)
            }
            let path = client.emulator.listDatabasesPath()
            let one = try await client.send("GET", path + "?limit=1&offset=2").object()
            #expect(Self.ports(one) == ["5003"])
            #expect(one["total"] as? Int == 3)
            #expect(Self.ports(try await client.send("GET", path + "?limit=10000").object()).count == 3)
            let instances = client.emulator.listInstancesPath
            #expect(try await client.send("GET", instances + "?limit=1000").status == 200)
            let tooMany = try await client.send("GET", instances + "?limit=1001")
            #expect(tooMany.status == 400)
            #expect(try tooMany.dbssError().code == "DBSS.10000001")
            let beyond = try await client.send("GET", instances + "?offset=1").object()
            #expect((beyond["servers"] as? [Any])?.isEmpty == true)
            #expect(beyond["total"] as? Int == 1)
        }
    }

    @Test("config_num counts every stored database up to database_limit, which then refuses more")
    func capacity() async throws {
        try await withEmulator(.testing(databaseLimit: 2)) { client in
            for expected in 0...2 {
                let object = try await client.send("GET", client.emulator.listInstancesPath).object()
                let server = try #require((object["servers"] as? [[String: Any]])?.first)
                #expect(server["database_limit"] as? Int == 2)
                #expect(server["config_num"] as? Int == expected)
                if expected < 2 {
                    #expect(try await client.add(DatabaseJSON().setting("port", String(4000 + expected))).status == 200)
                }
            }
            let refused = try await client.add(DatabaseJSON().setting("port", "4009"))
            #expect(refused.status == 400)
            #expect(try refused.dbssError().code == "DBSS.10020118")
            #expect(client.emulator.databases().count == 2)
        }
    }

    @Test("status filters on the audit switch; new databases are OFF")
    func statusFilter() async throws {
        try await withEmulator { client in
            _ = try await client.add()
            let path = client.emulator.listDatabasesPath()
            #expect(try await client.send("GET", path + "?status=OFF").object()["total"] as? Int == 1)
            let on = try await client.send("GET", path + "?status=ON").object()
            #expect(on["total"] as? Int == 0)
            #expect(Self.ports(on).isEmpty)
        }
    }

    @Test(
        "invalid paging values answer 400 DBSS.10000001",
        arguments: ["offset=-1", "offset=x", "limit=0", "limit=10001", "limit=", "limit=1.5", "status=on"]
    )
    func invalidQuery(_ query: String) async throws {
        try await withEmulator { client in
            let response = try await client.send("GET", client.emulator.listDatabasesPath() + "?" + query)
            #expect(response.status == 400)
            #expect(try response.dbssError().code == "DBSS.10000001")
        }
    }

    @Test("list needs a token and the right instance")
    func listChecksAccess() async throws {
        try await withEmulator { client in
            let path = client.emulator.listDatabasesPath()
            #expect(try await client.send("GET", path, token: nil).status == 401)
            let project = client.emulator.configuration.projectID
            let response = try await client.send("GET", "/v2/\(project)/audit/nope/databases")
            #expect(try response.dbssError().code == "DBSS.10020021")
        }
    }

    @Test("the instance list shows the instance, its limit and how many databases it holds")
    func instances() async throws {
        try await withEmulator(.testing(databaseLimit: 7)) { client in
            _ = try await client.add()
            let project = client.emulator.configuration.projectID
            for path in [client.emulator.listInstancesPath, "/v1/\(project)/dbss/audit/instances"] {
                let object = try await client.send("GET", path).object()
                #expect(object["total"] as? Int == 1)
                let servers = try #require(object["servers"] as? [[String: Any]])
                let server = try #require(servers.first)
                #expect(server["id"] as? String == client.emulator.configuration.instanceID)
                #expect(server["status"] as? String == "ACTIVE")
                #expect(server["database_limit"] as? Int == 7)
                #expect(server["config_num"] as? Int == 1)
            }
        }
    }

    private static func ports(_ page: [String: Any]) -> [String] {
        let entries = page["databases"] as? [[String: Any]] ?? []
        return entries.compactMap { ($0["database"] as? [String: Any])?["port"] as? String }
    }
}
