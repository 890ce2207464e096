/// DDM character parameters: EBCDIC (CCSID 500, DDM's default) unless a Unicode manager was negotiated, when they
/// are UTF-8; some servers answer in ASCII. The encoding is told from the bytes.
public enum DRDAText {
    public enum Encoding: String, Sendable, Hashable {
        case ebcdic = "EBCDIC (CCSID 500)"
        case ascii = "ASCII"
        case utf8 = "UTF-8"
    }

    /// The text in `bytes` and how it was encoded, trimmed of padding spaces; `nil` when it is not printable text in
    /// any of the three encodings.
    ///
    /// Bytes all within printable ASCII are ASCII: every EBCDIC letter and digit lies above 0x80, so only an EBCDIC
    /// string of punctuation alone could be mistaken.
    public static func decode(_ bytes: [UInt8]) -> (text: String, encoding: Encoding)? {
        if bytes.allSatisfy({ (0x20...0x7E).contains($0) }) {
            return (trimmed(String(decoding: bytes, as: UTF8.self)), .ascii)
        }
        let characters = bytes.compactMap(ebcdicCharacter)
        if characters.count == bytes.count {
            return (trimmed(String(characters)), .ebcdic)
        }
        if let text = String(validating: bytes, as: UTF8.self), !text.unicodeScalars.contains(where: isControl) {
            return (trimmed(text), .utf8)
        }
        return nil
    }

    /// `text` in CCSID 500; characters outside the table become `?`.
    public static func ebcdic(_ text: String) -> [UInt8] {
        text.map { character in
            ebcdicBytes[character] ?? 0x6F
        }
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// The printable characters of CCSID 500 that names and release levels use.
    static func ebcdicCharacter(_ byte: UInt8) -> Character? {
        switch byte {
        case 0x81...0x89: offset("a", byte - 0x81)
        case 0x91...0x99: offset("j", byte - 0x91)
        case 0xA2...0xA9: offset("s", byte - 0xA2)
        case 0xC1...0xC9: offset("A", byte - 0xC1)
        case 0xD1...0xD9: offset("J", byte - 0xD1)
        case 0xE2...0xE9: offset("S", byte - 0xE2)
        case 0xF0...0xF9: offset("0", byte - 0xF0)
        default: punctuation[byte]
        }
    }

    private static func offset(_ base: Unicode.Scalar, _ delta: UInt8) -> Character? {
        Unicode.Scalar(base.value + UInt32(delta)).map(Character.init)
    }

    private static let punctuation: [UInt8: Character] = [
        0x40: " ", 0x4A: "[", 0x4B: ".", 0x4C: "<", 0x4D: "(", 0x4E: "+", 0x4F: "!", 0x50: "&", 0x5A: "]",
        0x5B: "$", 0x5C: "*", 0x5D: ")", 0x5E: ";", 0x5F: "^", 0x60: "-", 0x61: "/", 0x6B: ",", 0x6C: "%",
        0x6D: "_", 0x6E: ">", 0x6F: "?", 0x79: "`", 0x7A: ":", 0x7B: "#", 0x7C: "@", 0x7D: "'", 0x7E: "=",
        0x7F: "\"", 0xA1: "~", 0xBB: "|", 0xC0: "{", 0xD0: "}", 0xE0: "\\",
    ]

    private static let ebcdicBytes: [Character: UInt8] = {
        var table: [Character: UInt8] = [:]
        for byte in UInt8.min...UInt8.max {
            if let character = ebcdicCharacter(byte) { table[character] = byte }
        }
        return table
    }()
}
