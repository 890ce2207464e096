import DBSSEmulator
import Foundation
import Testing

@Suite("Test signer against Python's hashlib and hmac")
struct TestSignerVectorTests {
    // python3 -c 'import hashlib; print(hashlib.sha256(b"").hexdigest()); print(hashlib.sha256(b"abc").hexdigest());
    //   print(hashlib.sha256(b"a" * 1000).hexdigest())'
    @Test(
        "SHA-256 of empty, short and multi-block messages",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
        ]
    )
    func sha256(message: String, expected: String) {
        #expect(TestDigest.hex(TestDigest.sha256(Array(message.utf8))) == expected)
    }

    // python3 -c 'import hashlib, hmac; print(hmac.new(b"\xaa" * 131,
    //   b"Test Using Larger Than Block-Size Key - Hash Key First", hashlib.sha256).hexdigest())'
    @Test("HMAC-SHA256 with a key longer than a block")
    func hmac() {
        let mac = TestDigest.hmacSHA256(
            key: [UInt8](repeating: 0xaa, count: 131),
            message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        )
        #expect(TestDigest.hex(mac) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    // import hashlib, hmac
    // canonical = "\n".join(["GET",
    //     "/v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/audit/5f8d2a1c9b7e4d3fa6c0b1e2d3f4a5b6/databases/",
    //     "limit=5&name=a%20b&offset=0",
    //     "host:dbss.cn-north-4.myhuaweicloud.com\nx-project-id:0a1b2c3d4e5f60718293a4b5c6d7e8f9\n"
    //     "x-sdk-date:20240501T100000Z\n",
    //     "host;x-project-id;x-sdk-date", hashlib.sha256(b"").hexdigest()])
    // sts = "SDK-HMAC-SHA256\n20240501T100000Z\n" + hashlib.sha256(canonical.encode()).hexdigest()
    // print(hmac.new(b"SKvector/secret+key==", sts.encode(), hashlib.sha256).hexdigest())
    @Test("a GET with a query signs as Python computes it (query sorted, space as %20)")
    func getVector() throws {
        let request = TestRequest(
            method: "GET",
            path: "/v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/audit/5f8d2a1c9b7e4d3fa6c0b1e2d3f4a5b6/databases",
            query: "offset=0&name=a+b&limit=5",
            headers: [
                ("Host", "dbss.cn-north-4.myhuaweicloud.com"), ("X-Project-Id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
            ]
        )
        let signed = Self.signer.sign(request, date: "20240501T100000Z")
        #expect(try Self.signature(signed) == "71822c37f358696b5a7db0357ce7c1dd47234226905da983af5b5c0887aa18d9")
    }

    // body = b'{"database":{"name":"orders"}}'
    // canonical = "\n".join(["POST",
    //     "/v1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/5f8d2a1c9b7e4d3fa6c0b1e2d3f4a5b6/audit/databases/", "",
    //     "content-type:application/json;charset=UTF-8\nx-sdk-date:20240501T100000Z\n",
    //     "content-type;x-sdk-date", hashlib.sha256(body).hexdigest()])
    // (then sts and hmac as above)
    @Test("a POST signs its body hash as Python computes it")
    func postVector() throws {
        let request = TestRequest(
            method: "POST",
            path: "/v1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/5f8d2a1c9b7e4d3fa6c0b1e2d3f4a5b6/audit/databases",
            headers: [("Content-Type", "application/json;charset=UTF-8")],
            body: Array(#"{"database":{"name":"orders"}}"#.utf8)
        )
        let signed = Self.signer.sign(request, date: "20240501T100000Z")
        #expect(try Self.signature(signed) == "91703be7b2d7a8040b1487ffe639f89c48731c7c2c8b95e50ae90f3dfb392a18")
        #expect(signed.header("Authorization")?.contains("SignedHeaders=content-type;x-sdk-date,") == true)
    }

    private static let signer = TestSigner(accessKey: "AKVECTOR", secretKey: "SKvector/secret+key==")

    private static func signature(_ request: TestRequest) throws -> String {
        let authorization = try #require(request.header("Authorization"))
        return String(try #require(authorization.split(separator: "Signature=").last))
    }
}

@Suite("AK/SK signatures (SDK-HMAC-SHA256)")
struct AKSKTests {
    static let signer = TestSigner(accessKey: testAccessKey, secretKey: testSecretKey)

    /// A signed add-database request as the SDKs send it: content type, host and project signed.
    static func addRequest(_ emulator: DBSSEmulator, body: String = DatabaseJSON().body) -> TestRequest {
        TestRequest(
            method: "POST",
            path: emulator.addDatabasePath(),
            headers: [
                ("Content-Type", "application/json;charset=UTF-8"), ("Host", "127.0.0.1:\(emulator.port)"),
                ("X-Project-Id", emulator.configuration.projectID),
            ],
            body: Array(body.utf8)
        )
    }

    @Test("a correctly signed add and list are accepted and logged as AK/SK")
    func accepted() async throws {
        try await withEmulator { client in
            let added = try await client.send(Self.signer.sign(Self.addRequest(client.emulator), date: Self.now()))
            #expect(added.status == 200, "\(added.body)")
            #expect(client.emulator.databases().count == 1)

            let list = TestRequest(
                method: "GET",
                path: client.emulator.listDatabasesPath(.v1),
                query: "status=OFF&offset=0&limit=5",
                headers: [("Host", "127.0.0.1:\(client.emulator.port)")]
            )
            let listed = try await client.send(Self.signer.sign(list, date: Self.now()))
            #expect(listed.status == 200, "\(listed.body)")
            #expect(try listed.object()["total"] as? Int == 1)
            #expect(client.emulator.requestLog().map(\.authentication) == [.accessKey, .accessKey])
        }
    }

    @Test("signing only x-sdk-date is enough, and X-Sdk-Content-Sha256 stands in for the body hash")
    func minimalAndUnsignedPayload() async throws {
        try await withEmulator { client in
            let minimal = Self.signer.sign(Self.addRequest(client.emulator), date: Self.now(), signed: ["x-sdk-date"])
            let accepted = try await client.send(minimal)
            #expect(accepted.status == 200)
            let unsigned = Self.addRequest(client.emulator, body: DatabaseJSON().setting("port", "3307").body)
                .setting("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")
            #expect(try await client.send(Self.signer.sign(unsigned, date: Self.now())).status == 200)
            #expect(client.emulator.databases().map(\.port) == ["3306", "3307"])
        }
    }

    @Test("a date 14 minutes off either way is still accepted", arguments: [-14.0, 14.0])
    func withinSkew(minutes: Double) async throws {
        try await withEmulator { client in
            let date = Self.now(offsetMinutes: minutes)
            let response = try await client.send(Self.signer.sign(Self.addRequest(client.emulator), date: date))
            #expect(response.status == 200, "\(response.body)")
        }
    }

    /// Ways a signed request goes wrong, each with the part of the gateway's message it must cause.
    enum Tampering: String, CaseIterable, CustomTestStringConvertible {
        case body, header, date, secretKey, accessKey, missingDate, unsignedDate, skewPast, skewFuture, badDate

        var testDescription: String { rawValue }

        /// The request as sent after signing `request` (which is valid at `now`).
        func apply(to request: TestRequest, signer: TestSigner, now: String) -> TestRequest {
            switch self {
            case .body:
                var changed = signer.sign(request, date: now)
                changed.body = Array(DatabaseJSON().setting("port", "1521").body.utf8)
                return changed
            case .header: return signer.sign(request, date: now).setting("Content-Type", "application/json")
            case .date: return signer.sign(request, date: now).setting("X-Sdk-Date", AKSKTests.now(offsetMinutes: 1))
            case .secretKey: return TestSigner(accessKey: signer.accessKey, secretKey: "wrong").sign(request, date: now)
            case .accessKey:
                return TestSigner(accessKey: "UNKNOWNAK", secretKey: signer.secretKey).sign(request, date: now)
            case .missingDate: return signer.sign(request, date: now).setting("X-Sdk-Date", nil)
            case .unsignedDate:
                return signer.sign(request, date: now, signed: ["content-type", "host", "x-project-id"])
            case .skewPast: return signer.sign(request, date: AKSKTests.now(offsetMinutes: -20))
            case .skewFuture: return signer.sign(request, date: AKSKTests.now(offsetMinutes: 20))
            case .badDate: return signer.sign(request, date: "20240231T100000Z")
            }
        }

        var expectedMessage: String {
            switch self {
            case .body, .header, .date, .secretKey: "verify aksk signature fail, canonicalRequest:POST|/v2/"
            case .accessKey: "Get secretKey failed,ak:UNKNOWNAK,err:ak not exist"
            case .missingDate: "calc ak sk signature fail:x-sdk-date header not found"
            case .unsignedDate: "verify aksk signature fail, x-sdk-date is not signed, SignedHeaders="
            case .skewPast, .skewFuture: "calc ak sk signature fail:signature expired, x-sdk-date "
            case .badDate: "calc ak sk signature fail:x-sdk-date '20240231T100000Z' is not YYYYMMDDTHHMMSSZ"
            }
        }
    }

    @Test("a tampered or stale signature answers 401 APIGW.0301 and adds nothing", arguments: Tampering.allCases)
    func rejected(_ tampering: Tampering) async throws {
        try await withEmulator { client in
            let sent = tampering.apply(to: Self.addRequest(client.emulator), signer: Self.signer, now: Self.now())
            let response = try await client.send(sent)
            #expect(response.status == 401)
            let error = try response.gatewayError()
            #expect(error.code == "APIGW.0301")
            #expect(error.message.hasPrefix("Incorrect IAM authentication information: " + tampering.expectedMessage))
            #expect(client.emulator.databases().isEmpty)
        }
    }

    @Test("a signature mismatch echoes the canonical request the emulator built, newlines as |")
    func echoesCanonicalRequest() async throws {
        try await withEmulator { client in
            let signed = Self.signer.sign(Self.addRequest(client.emulator), date: Self.now())
            var tampered = signed
            tampered.body = Array(DatabaseJSON().setting("name", "other").body.utf8)
            let message = try await client.send(tampered).gatewayError().message
            let names = ["content-type", "host", "x-project-id", "x-sdk-date"]
            let expected = TestSigner.canonicalRequest(tampered, signedHeaders: names)
            #expect(message.hasSuffix("canonicalRequest:" + expected.replacingOccurrences(of: "\n", with: "|")))
            #expect(!message.contains("\n"))
        }
    }

    @Test("a signed X-Project-Id of another project answers 403 APIGW.0310")
    func foreignProjectHeader() async throws {
        try await withEmulator { client in
            let request = Self.addRequest(client.emulator).setting("X-Project-Id", "ffffffffffffffffffffffffffffffff")
            let response = try await client.send(Self.signer.sign(request, date: Self.now()))
            #expect(response.status == 403)
            let error = try response.gatewayError()
            #expect(error.code == "APIGW.0310")
            #expect(error.message == "The project is unavailable.")
            #expect(client.emulator.databases().isEmpty)
        }
    }

    @Test("a valid signature on another project's path answers 403, on another instance 400, as tokens do")
    func pathChecks() async throws {
        try await withEmulator { client in
            let configuration = client.emulator.configuration
            var project = Self.addRequest(client.emulator)
            project.path = "/v2/ffffffffffffffffffffffffffffffff/audit/\(configuration.instanceID)/databases"
            let wrongProject = try await client.send(Self.signer.sign(project, date: Self.now()))
            #expect(wrongProject.status == 403)
            #expect(try wrongProject.dbssError().code == "DBSS.10020100")
            var instance = Self.addRequest(client.emulator)
            instance.path = "/v2/\(configuration.projectID)/audit/nope/databases"
            let wrongInstance = try await client.send(Self.signer.sign(instance, date: Self.now()))
            #expect(wrongInstance.status == 400)
            #expect(try wrongInstance.dbssError().code == "DBSS.10020021")
        }
    }

    @Test("an emulator without access keys refuses every AK")
    func noAccessKeys() async throws {
        try await withEmulator(.testing(accessKeys: [:])) { client in
            let response = try await client.send(Self.signer.sign(Self.addRequest(client.emulator), date: Self.now()))
            #expect(response.status == 401)
            #expect(try response.gatewayError().message.contains("ak:\(testAccessKey),err:ak not exist"))
        }
    }

    /// The current time as `X-Sdk-Date`, moved by `offsetMinutes`.
    static func now(offsetMinutes: Double = 0) -> String {
        TestSigner.timestamp(Date().addingTimeInterval(offsetMinutes * 60))
    }
}
