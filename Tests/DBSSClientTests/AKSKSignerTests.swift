import DBSSClient
import DBScoutCore
import Foundation
import NIOHTTP1
import Testing

/// The signer against values computed independently by Vectors/aksk_vectors.py from the documented algorithm
/// (dbss-api.md §5.2). The constants below are that script's output; change them only by re-running it.
@Suite("AK/SK signer")
struct AKSKSignerTests {
    static let accessKey = "HPUAEXAMPLEAK0000001"
    static let secretKey = "exampleSecretKey/with+chars=0123456789"
    static let securityToken = "sts-token-example-0001"
    static let project = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    static let instance = "5f8d2a1c9b7e4d3fa6c0b1e2d3f4a5b6"
    /// 2024-05-01 10:00:00 UTC, the script's `DATE`.
    static let date = Date(timeIntervalSince1970: 1_714_557_600)

    private func signer(securityToken: String? = nil) -> AKSKSigner {
        AKSKSigner(
            accessKey: Self.accessKey,
            secretKey: Secret(Self.secretKey),
            projectID: Self.project,
            securityToken: securityToken.map(Secret.init)
        )
    }

    private func sign(
        _ signer: AKSKSigner,
        _ method: String,
        _ url: String,
        contentType: String,
        body: String = ""
    ) throws -> HTTPHeaders {
        let headers: HTTPHeaders = ["Content-Type": contentType]
        return signer.sign(
            method: method,
            url: try #require(URL(string: url)),
            headers: headers,
            body: Array(body.utf8),
            date: Self.date
        )
    }

    @Test func getWithAQuery() throws {
        let url =
            "https://dbss.cn-north-4.myhuaweicloud.com/v2/\(Self.project)/audit/\(Self.instance)/databases"
            + "?offset=0&limit=100&status=ON"
        let added = try sign(signer(), "GET", url, contentType: "application/json")
        #expect(added.first(name: "X-Sdk-Date") == "20240501T100000Z")
        #expect(added.first(name: "Host") == "dbss.cn-north-4.myhuaweicloud.com")
        #expect(added.first(name: "X-Project-Id") == Self.project)
        #expect(
            added.first(name: "Authorization")
                == "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
                + "Signature=84fd611835939f98e213c2415152f78794f122233a7b87b0579ea6944260ebee"
        )
    }

    @Test func postWithAJSONBodyAndASecurityToken() throws {
        let body = #"{"database":{"db_classification":"ECS","name":"pg 10.0.0.7","port":"5432"}}"#
        let url = "http://127.0.0.1:8443/v1/\(Self.project)/\(Self.instance)/audit/databases"
        let added = try sign(
            signer(securityToken: Self.securityToken),
            "POST",
            url,
            contentType: "application/json;charset=UTF-8",
            body: body
        )
        #expect(added.first(name: "Host") == "127.0.0.1:8443")
        #expect(added.first(name: "X-Security-Token") == Self.securityToken)
        #expect(
            added.first(name: "Authorization")
                == "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, "
                + "SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, "
                + "Signature=fa6f435675c0ec128544d0690694fedadf47385211bbaac60ed8c40b51b69eeb"
        )
    }

    /// The canonical URI decodes then re-encodes each segment, so an encoded and a literal spelling of the same
    /// path sign alike.
    @Test(arguments: [
        "https://dbss.example.com/v1/my%20project/inst%C3%BC%3A1%40x/databases?b=2&a=x%2Fy&a=1%202&c=~ok",
        "https://dbss.example.com:443/v1/my%20project/inst%C3%BC:1@x/databases/?c=%7Eok&a=1+2&b=2&a=x/y",
    ])
    func pathAndQueryNeedingPercentEncoding(url: String) throws {
        let added = try sign(signer(), "GET", url, contentType: "application/json")
        #expect(added.first(name: "Host") == "dbss.example.com")
        #expect(
            added.first(name: "Authorization")
                == "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
                + "Signature=9a40aba8633fbe84cc2c7678dba852f104fde8ad60f5089d5662f3e2c17175d0"
        )
    }

    @Test func aGivenDateHeaderIsKeptAndTheSignerHidesItsKey() throws {
        let signer = signer()
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-Sdk-Date": "20240501T100000Z"]
        headers.add(name: "Host", value: "dbss.cn-north-4.myhuaweicloud.com")
        let url = try #require(
            URL(
                string:
                    "https://dbss.cn-north-4.myhuaweicloud.com/v2/\(Self.project)/audit/\(Self.instance)/databases?offset=0&limit=100&status=ON"
            )
        )
        let added = signer.sign(method: "GET", url: url, headers: headers, body: [], date: Date())
        #expect(added.first(name: "X-Sdk-Date") == nil)
        #expect(
            added.first(name: "Authorization")?.hasSuffix(
                "84fd611835939f98e213c2415152f78794f122233a7b87b0579ea6944260ebee"
            ) == true
        )
        #expect(!"\(signer)".contains(Self.secretKey))
    }
}
