import Crypto
import Foundation
import NIOHTTP1

/// Verifies `SDK-HMAC-SHA256` request signatures as API Gateway does, rebuilt from the documented
/// steps (dbss-api.md §5.2) and independent of the client's signer, so that the emulator checks it.
///
/// Checks, in order, each failing with 401 `APIGW.0301`:
/// 1. `Authorization` is `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
/// 2. The AK is configured ("Get secretKey failed,ak:…,err:ak not exist", the gateway's text).
/// 3. `X-Sdk-Date` is present, `YYYYMMDDTHHMMSSZ`, and at most 15 minutes from the emulator's clock.
/// 4. `x-sdk-date` is among the signed headers (the one header the documentation makes mandatory).
/// 5. The signature is HMAC-SHA256(SK, string to sign) over the canonical request rebuilt from what
///    was received. Otherwise the message echoes that canonical request with `|` for newlines, as
///    the gateway does, so it can be diffed against the client's.
///
/// The canonical request is built from the request as received: the raw path (each segment
/// decoded, then encoded again, with a trailing `/`), the query sorted by name then value, the
/// signed headers in the listed order with their first value trimmed (an absent one counts as
/// empty, which then fails the comparison), and the SHA-256 of the body or the value of
/// `X-Sdk-Content-Sha256`.
struct AKSKVerifier: Sendable {
    /// The algorithm name that opens the `Authorization` header and the string to sign.
    static let algorithm = "SDK-HMAC-SHA256"
    /// How far `X-Sdk-Date` may be from the gateway's clock, either way.
    static let maximumSkew: TimeInterval = 15 * 60

    /// AK → SK.
    let accessKeys: [String: String]

    /// Whether the request presents an AK/SK signature (rather than a token or nothing).
    static func isSigned(_ request: EmulatorRequest) -> Bool {
        request.header("Authorization")?.hasPrefix(algorithm + " ") ?? false
    }

    /// Throws the gateway's error unless the request carries a valid signature of a known AK.
    func verify(_ request: EmulatorRequest, now: Date) throws(APIError) {
        let authorization = try SignatureHeader(request.header("Authorization") ?? "")
        guard let secretKey = accessKeys[authorization.accessKey] else {
            throw .iamAuthentication("Get secretKey failed,ak:\(authorization.accessKey),err:ak not exist")
        }
        let date = try Self.checkedDate(request.header("X-Sdk-Date"), now: now)
        guard authorization.signedHeaders.contains(where: { $0.lowercased() == "x-sdk-date" }) else {
            throw .iamAuthentication(
                "verify aksk signature fail, x-sdk-date is not signed, SignedHeaders="
                    + authorization.signedHeaders.joined(separator: ";")
            )
        }
        let canonical = Self.canonicalRequest(request, signedHeaders: authorization.signedHeaders)
        let stringToSign = [Self.algorithm, date, Self.hex(SHA256.hash(data: Array(canonical.utf8)))]
            .joined(separator: "\n")
        let key = SymmetricKey(data: Array(secretKey.utf8))
        let expected = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        guard ConstantTime.equals(expected, authorization.signature) else {
            throw .iamAuthentication(
                "verify aksk signature fail, canonicalRequest:" + canonical.replacingOccurrences(of: "\n", with: "|")
            )
        }
    }

    /// The six-part canonical request of §5.2 step 5, joined by newlines.
    static func canonicalRequest(_ request: EmulatorRequest, signedHeaders: [String]) -> String {
        let headerLines = signedHeaders.map { name in
            let value = request.header(name)?.trimmingCharacters(in: .whitespaces) ?? ""
            return "\(name):\(value)\n"
        }
        let payloadHash = request.header("X-Sdk-Content-Sha256") ?? hex(SHA256.hash(data: request.body))
        return [
            request.method.rawValue.uppercased(),
            canonicalURI(request.path),
            canonicalQuery(request.query),
            headerLines.joined(),
            signedHeaders.joined(separator: ";"),
            payloadHash,
        ].joined(separator: "\n")
    }

    /// Each segment percent-decoded and re-encoded, so `%2D` and `-` sign alike; always ends in `/`.
    static func canonicalURI(_ path: String) -> String {
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { segment in encode(String(segment).removingPercentEncoding ?? String(segment)) }
            .joined(separator: "/")
        return encoded.hasSuffix("/") ? encoded : encoded + "/"
    }

    /// Parameters sorted by name, then value; both sides encoded; empty without a query.
    static func canonicalQuery(_ query: String?) -> String {
        QueryString.parse(query)
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\(encode($0.0))=\(encode($0.1))" }
            .joined(separator: "&")
    }

    /// `%XX` (upper-case hex) for every UTF-8 byte outside `A–Z a–z 0–9 - _ . ~`.
    static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// The `X-Sdk-Date` value once it is known to be well formed and recent enough.
    private static func checkedDate(_ value: String?, now: Date) throws(APIError) -> String {
        guard let value, !value.isEmpty else {
            throw .iamAuthentication("calc ak sk signature fail:x-sdk-date header not found")
        }
        guard let date = SDKDate.parse(value) else {
            throw .iamAuthentication("calc ak sk signature fail:x-sdk-date '\(value)' is not YYYYMMDDTHHMMSSZ")
        }
        guard abs(date.timeIntervalSince(now)) <= maximumSkew else {
            throw .iamAuthentication(
                "calc ak sk signature fail:signature expired, x-sdk-date \(value) is more than 15 minutes "
                    + "from the gateway time \(SDKDate.format(now))"
            )
        }
        return value
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

/// The parts of an `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header.
private struct SignatureHeader {
    var accessKey: String
    var signedHeaders: [String]
    var signature: String

    init(_ header: String) throws(APIError) {
        var parts: [String: String] = [:]
        for item in header.dropFirst(AKSKVerifier.algorithm.count).split(separator: ",") {
            let pair = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { parts[String(pair[0])] = String(pair[1]) }
        }
        guard let accessKey = parts["Access"], let signed = parts["SignedHeaders"], let signature = parts["Signature"],
            !accessKey.isEmpty, !signed.isEmpty, !signature.isEmpty
        else {
            throw .iamAuthentication(
                "verify aksk signature fail, Authorization must be "
                    + "'\(AKSKVerifier.algorithm) Access=AK, SignedHeaders=h1;h2, Signature=hex'"
            )
        }
        self.accessKey = accessKey
        self.signedHeaders = signed.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        self.signature = signature
    }
}

/// The `YYYYMMDDTHHMMSSZ` UTC timestamps of `X-Sdk-Date`.
enum SDKDate {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }()

    /// The instant `text` names, `nil` unless it is exactly 16 characters of a real date and time.
    static func parse(_ text: String) -> Date? {
        let characters = Array(text.utf8)
        guard characters.count == 16, characters[8] == UInt8(ascii: "T"), characters[15] == UInt8(ascii: "Z") else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int? {
            let digits = characters[range]
            guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            return Int(String(decoding: digits, as: UTF8.self))
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        // Calendar rolls 31 February over into March; a date that does not read back is not real.
        guard let date = calendar.date(from: components), format(date) == text else { return nil }
        return date
    }

    /// `date` as `YYYYMMDDTHHMMSSZ`.
    static func format(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let date = [parts.year, parts.month, parts.day].map { String($0 ?? 0).leftPadded(to: 2) }.joined()
        let time = [parts.hour, parts.minute, parts.second].map { String($0 ?? 0).leftPadded(to: 2) }.joined()
        return date + "T" + time + "Z"
    }
}

/// Comparison whose duration does not depend on where two secrets first differ.
enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same UTF-8 bytes, looking at every byte either way.
    static func equals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}

extension String {
    /// The string with leading zeros up to `width` characters (for hex bytes and date fields).
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
