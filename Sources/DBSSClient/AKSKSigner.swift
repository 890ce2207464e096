import Crypto
import DBScoutCore
import Foundation
import NIOHTTP1

/// Signs a request with Huawei Cloud's access-key algorithm `SDK-HMAC-SHA256`, as the official SDKs and the API
/// Gateway define it (dbss-api.md §5.2).
///
/// The signer is a pure function of its inputs, the time included, so a fixed date gives a fixed signature.
/// Every header handed in is signed (as the Python SDK does), together with the ones the signer adds:
/// `X-Sdk-Date`, `Host`, `X-Project-Id` when a project is set and `X-Security-Token` for temporary keys.
public struct AKSKSigner: Sendable, CustomStringConvertible {
    /// The algorithm name that opens the `Authorization` header and the string to sign.
    public static let algorithm = "SDK-HMAC-SHA256"

    /// The access key id (AK); an identifier, not a secret.
    public let accessKey: String
    private let secretKey: Secret
    /// Sent and signed as `X-Project-Id`, as the SDKs do for project-level services.
    public let projectID: String?
    private let securityToken: Secret?

    /// - Parameters:
    ///   - accessKey: The AK.
    ///   - secretKey: The SK, the HMAC key.
    ///   - projectID: The project id sent as `X-Project-Id`, or `nil` to send none.
    ///   - securityToken: The STS token of temporary keys, sent as `X-Security-Token`.
    public init(accessKey: String, secretKey: Secret, projectID: String?, securityToken: Secret? = nil) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.projectID = projectID
        self.securityToken = securityToken
    }

    public var description: String { "AKSKSigner(\(accessKey), sk: <redacted>)" }

    /// The headers to add to a request so that API Gateway accepts it.
    ///
    /// - Parameters:
    ///   - method: The HTTP method, e.g. `POST`.
    ///   - url: The full request URL; its path may be percent-encoded or not, the canonical form is the same.
    ///   - headers: The headers the request already carries; all of them are signed. An `X-Sdk-Date` among them
    ///     is kept (and `date` ignored), a `Host` among them is used as is.
    ///   - body: The exact body bytes (empty for none).
    ///   - date: The signing time; API Gateway refuses a date more than 15 minutes from its clock.
    /// - Returns: `X-Sdk-Date`, `Host`, `X-Project-Id`, `X-Security-Token` and `X-Sdk-Content-Sha256` where they
    ///   apply and were not already present, then `Authorization`.
    public func sign(method: String, url: URL, headers: HTTPHeaders, body: [UInt8], date: Date) -> HTTPHeaders {
        var added = HTTPHeaders()
        func addIfAbsent(_ name: String, _ value: String?) {
            guard let value, !headers.contains(name: name) else { return }
            added.add(name: name, value: value)
        }
        addIfAbsent("X-Sdk-Date", Self.timestamp(date))
        addIfAbsent("Host", Self.hostHeader(of: url))
        addIfAbsent("X-Project-Id", projectID)
        addIfAbsent("X-Security-Token", securityToken?.reveal())
        if let contentType = headers.first(name: "Content-Type"), !contentType.lowercased().contains("application/json")
        {
            addIfAbsent("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")
        }
        let signed = Self.signedHeaderValues(headers, added)
        let canonical = Self.canonicalRequest(method: method, url: url, headers: signed, body: body)
        let stringToSign = [
            Self.algorithm, signed["x-sdk-date"] ?? "", Self.hex(SHA256.hash(data: Data(canonical.utf8))),
        ]
        .joined(separator: "\n")
        let key = SymmetricKey(data: Data(secretKey.reveal().utf8))
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let names = signed.keys.sorted().joined(separator: ";")
        added.add(
            name: "Authorization",
            value: "\(Self.algorithm) Access=\(accessKey), SignedHeaders=\(names), Signature=\(signature)"
        )
        return added
    }

    /// The six-line canonical request; API Gateway echoes its own (with `|` for newlines) when a signature does
    /// not verify, so this is what to compare.
    static func canonicalRequest(method: String, url: URL, headers: [String: String], body: [UInt8]) -> String {
        let names = headers.keys.sorted()
        let payloadHash = headers["x-sdk-content-sha256"] ?? Self.hex(SHA256.hash(data: body))
        return [
            method.uppercased(),
            canonicalURI(url),
            canonicalQuery(url),
            names.map { "\($0):\(headers[$0] ?? "")\n" }.joined(),
            names.joined(separator: ";"),
            payloadHash,
        ].joined(separator: "\n")
    }

    /// Lower-cased names with trimmed values; `Authorization` is never signed. A repeated header keeps its first
    /// value.
    private static func signedHeaderValues(_ given: HTTPHeaders, _ added: HTTPHeaders) -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in Array(given) + Array(added) where name.lowercased() != "authorization" {
            let key = name.lowercased()
            if values[key] == nil { values[key] = value.trimmingCharacters(in: .whitespaces) }
        }
        return values
    }

    /// Each path segment decoded then encoded, always ending in `/`.
    static func canonicalURI(_ url: URL) -> String {
        let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { encode(decode(String($0))) }
            .joined(separator: "/")
        if encoded.isEmpty { return "/" }
        return encoded.hasSuffix("/") ? encoded : encoded + "/"
    }

    /// Pairs sorted by key, then by value, each side encoded.
    static func canonicalQuery(_ url: URL) -> String {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery,
            !query.isEmpty
        else { return "" }
        let pairs = query.split(separator: "&").map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(String(parts[0])), parts.count > 1 ? decode(String(parts[1])) : "")
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\(encode($0.0))=\(encode($0.1))" }
            .joined(separator: "&")
    }

    /// `%XX` (upper-case hex) for every byte outside `A–Z a–z 0–9 - _ . ~`.
    static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    /// Percent-decoding with `+` read as a space, as the SDKs' query parsers do; malformed escapes stay as they are.
    private static func decode(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ",
            parts.year ?? 0,
            parts.month ?? 0,
            parts.day ?? 0,
            parts.hour ?? 0,
            parts.minute ?? 0,
            parts.second ?? 0
        )
    }

    /// The host as the request sends it: IPv6 in brackets, the port only when it is not the scheme's default.
    static func hostHeader(of url: URL) -> String? {
        guard let host = url.host(percentEncoded: false), !host.isEmpty else { return nil }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port = url.port else { return bracketed }
        let defaultPort = url.scheme?.lowercased() == "https" ? 443 : 80
        return port == defaultPort ? bracketed : "\(bracketed):\(port)"
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
