/// Random identifiers in the formats the real services use.
enum Identifiers {
    private static let idAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    private static let hexAlphabet = Array("0123456789abcdef")

    /// A database record ID: 20 characters of `[A-Za-z0-9_-]`, like the documented `Fadq-Y4B51p4J06sRc4F`.
    static func databaseID() -> String {
        random(count: 20, from: idAlphabet)
    }

    /// A request ID: 32 lowercase hex characters, as API Gateway puts in `X-Request-Id`.
    static func requestID() -> String {
        random(count: 32, from: hexAlphabet)
    }

    /// An IAM token. Real tokens are long base64 blobs starting with `MII`; clients must treat them
    /// as opaque, so only the look is imitated.
    static func token() -> String {
        "MII" + random(count: 160, from: idAlphabet)
    }

    /// A stable 32-hex-character ID derived from `text`, used for user and domain IDs so that the
    /// same user gets the same ID in every token response. FNV-1a is enough: these are not secrets.
    static func stableID(for text: String) -> String {
        let first = fnv1a(text, seed: 0xcbf2_9ce4_8422_2325)
        let second = fnv1a(text, seed: 0x8422_2325_cbf2_9ce4)
        return hex(first) + hex(second)
    }

    private static func random(count: Int, from alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }

    private static func fnv1a(_ text: String, seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
