import DBSSEmulator
import Foundation
import Testing

@Suite("IAM token endpoint")
struct IAMTests {
    static let user = IAMUser(name: "dbscout", password: "s3cret:with:colons", domain: "acme")

    static func tokenRequest(
        name: String = user.name,
        password: String = user.password,
        domain: String = user.domain,
        scope: String = #"{"project":{"name":"cn-north-4"}}"#
    ) -> String {
        """
        {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"\(name)",\
        "password":"\(password)","domain":{"name":"\(domain)"}}}},"scope":\(scope)}}
        """
    }

    @Test("a valid password request answers 201 with X-Subject-Token, which then works on DBSS")
    func issueAndUse() async throws {
        try await withEmulator(.testing(iamUsers: [Self.user])) { client in
            let response = try await client.send("POST", "/v3/auth/tokens", token: nil, body: Self.tokenRequest())
            #expect(response.status == 201)
            let token = try #require(response.header("X-Subject-Token"))
            #expect(token.hasPrefix("MII") && token != testToken)
            let body = try #require(try response.object()["token"] as? [String: Any])
            #expect(body["methods"] as? [String] == ["password"])
            #expect(body["expires_at"] is String && body["issued_at"] is String)
            let project = try #require(body["project"] as? [String: Any])
            #expect(project["id"] as? String == client.emulator.configuration.projectID)
            #expect(project["name"] as? String == "cn-north-4")
            #expect((body["user"] as? [String: Any])?["name"] as? String == "dbscout")
            #expect(body["catalog"] is [Any])
            #expect(!response.body.contains(Self.user.password))

            let add = try await client.send(
                "POST",
                client.emulator.addDatabasePath(),
                token: token,
                body: DatabaseJSON().body
            )
            #expect(add.status == 200)
        }
    }

    @Test("a project scope by id works and nocatalog drops the catalog")
    func scopeByID() async throws {
        try await withEmulator(.testing(iamUsers: [Self.user])) { client in
            let scope = #"{"project":{"id":"\#(client.emulator.configuration.projectID)"}}"#
            let response = try await client.send(
                "POST",
                "/v3/auth/tokens?nocatalog=true",
                token: nil,
                body: Self.tokenRequest(scope: scope)
            )
            #expect(response.status == 201)
            #expect((try response.object()["token"] as? [String: Any])?["catalog"] == nil)
        }
    }

    @Test(
        "wrong credentials or an unknown project answer 401 in the Keystone shape",
        arguments: [
            tokenRequest(password: "wrong"),
            tokenRequest(name: "mallory"),
            tokenRequest(domain: "other"),
            tokenRequest(scope: #"{"project":{"name":"eu-west-0"}}"#),
        ]
    )
    func unauthorized(_ body: String) async throws {
        try await withEmulator(.testing(iamUsers: [Self.user])) { client in
            let response = try await client.send("POST", "/v3/auth/tokens", token: nil, body: body)
            #expect(response.status == 401)
            #expect(response.header("X-Subject-Token") == nil)
            let error = try #require(try response.object()["error"] as? [String: Any])
            #expect(error["code"] as? Int == 401)
            #expect(error["title"] as? String == "Unauthorized")
            #expect(error["message"] is String)
        }
    }

    @Test(
        "malformed token requests answer 400",
        arguments: [
            "not json",
            "{}",
            #"{"auth":{"identity":{"methods":["token"]}}}"#,
            tokenRequest(scope: "{}"),
            tokenRequest(scope: #"{"domain":{"name":"acme"}}"#),
        ]
    )
    func malformed(_ body: String) async throws {
        try await withEmulator(.testing(iamUsers: [Self.user])) { client in
            let response = try await client.send("POST", "/v3/auth/tokens", token: nil, body: body)
            #expect(response.status == 400)
            #expect((try response.object()["error"] as? [String: Any])?["title"] as? String == "Bad Request")
        }
    }

    @Test("an expired IAM token answers 401 from the gateway")
    func expiredToken() async throws {
        try await withEmulator(.testing(iamUsers: [Self.user], tokenLifetime: .milliseconds(150))) { client in
            let issued = try await client.send("POST", "/v3/auth/tokens", token: nil, body: Self.tokenRequest())
            let token = try #require(issued.header("X-Subject-Token"))
            try await Task.sleep(for: .milliseconds(250))
            let response = try await client.send("GET", client.emulator.listDatabasesPath(), token: token)
            #expect(response.status == 401)
            let object = try response.object()
            #expect(object["error_code"] as? String == "APIGW.0301")
            #expect((object["error_msg"] as? String)?.contains("token expires") == true)
        }
    }

    @Test("expire-tokens (HTTP or in process) expires issued tokens only; a new token works")
    func expireTokens() async throws {
        try await withEmulator(.testing(iamUsers: [Self.user])) { client in
            let path = client.emulator.listDatabasesPath()
            let first = try await Self.issueToken(client)
            #expect(try await client.send("POST", "/_emulator/expire-tokens", token: nil).status == 204)
            let expired = try await client.send("GET", path, token: first)
            #expect(expired.status == 401)
            let error = try expired.gatewayError()
            #expect(error.code == "APIGW.0301")
            #expect(error.message.hasPrefix("Incorrect IAM authentication information: token expires, expires_at: "))
            #expect(try await client.send("GET", path, token: testToken).status == 200)

            let second = try await Self.issueToken(client)
            #expect(try await client.send("GET", path, token: second).status == 200)
            client.emulator.expireTokens()
            #expect(try await client.send("GET", path, token: second).status == 401)
        }
    }

    /// A fresh token from the emulated IAM endpoint for ``user``.
    static func issueToken(_ client: TestClient) async throws -> String {
        let response = try await client.send("POST", "/v3/auth/tokens", token: nil, body: tokenRequest())
        #expect(response.status == 201)
        return try #require(response.header("X-Subject-Token"))
    }
}
