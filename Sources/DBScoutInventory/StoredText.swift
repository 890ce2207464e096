import DBScoutCore

/// Fast paths for the two stored texts every listed row parses, the address and the evidence: they took most of
/// the time to read a long listing. Each reads only the plain form the stores write and gives up (`nil`) on
/// anything else, which the callers then hand to the general parser, so that the result is always the same.
enum StoredText {
    /// A dotted-quad IPv4 address as ``IPAddress`` accepts it: four decimal octets up to 255, no leading zeros.
    static func ipv4(_ text: String) -> IPAddress? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits < 3, digits == 0 || octet != 0 else { return nil }
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: "."):
                guard digits > 0, octet <= 255, dots < 3 else { return nil }
                value = value << 8 | octet
                (octet, digits, dots) = (0, 0, dots + 1)
            default:
                return nil
            }
        }
        guard dots == 3, digits > 0, octet <= 255 else { return nil }
        return .v4(value << 8 | octet)
    }

    /// Evidence as JSON: an array of objects with exactly the string members `fact` and `value` (what the stores
    /// write), in any order and spacing; strings with any escape but a UTF-16 surrogate.
    static func evidence(_ json: String) -> [Evidence]? {
        var json = json
        return json.withUTF8 { bytes in
            var reader = Reader(bytes: bytes)
            return reader.evidence()
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func evidence() -> [Evidence]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var list: [Evidence] = []
            if take(UInt8(ascii: "]")) { return end() ? list : nil }
            repeat {
                guard let evidence = object() else { return nil }
                list.append(evidence)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) && end() ? list : nil
        }

        private mutating func object() -> Evidence? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var fact: String?
            var value: String?
            repeat {
                guard let key = string(), take(UInt8(ascii: ":")), let text = string() else { return nil }
                switch key {
                case "fact" where fact == nil: fact = text
                case "value" where value == nil: value = text
                default: return nil
                }
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")), let fact, let value else { return nil }
            return Evidence(fact, value)
        }

        /// A string without escapes is a slice of the text; one with escapes (the encoder writes `\/` for `/`) is
        /// unescaped byte by byte.
        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
                guard bytes[index] >= 0x20 else { return nil }
                index += 1
            }
            guard index < bytes.count else { return nil }
            guard bytes[index] == UInt8(ascii: "\"") else { return escaped(from: start) }
            defer { index += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        /// The rest of a string from `start`, with its escapes; `nil` for a UTF-16 surrogate, left to the decoder.
        private mutating func escaped(from start: Int) -> String? {
            var text = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: text, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                    case UInt8(ascii: "b"): text.append(0x08)
                    case UInt8(ascii: "f"): text.append(0x0C)
                    case UInt8(ascii: "n"): text.append(0x0A)
                    case UInt8(ascii: "r"): text.append(0x0D)
                    case UInt8(ascii: "t"): text.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let scalar = hexScalar() else { return nil }
                        text.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                case 0..<0x20: return nil
                default: text.append(byte)
                }
            }
            return nil
        }

        /// The four hex digits after `\u` as a scalar; `nil` for a surrogate or a malformed escape.
        private mutating func hexScalar() -> Unicode.Scalar? {
            guard index + 4 <= bytes.count else { return nil }
            let digits = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<index + 4]), as: UTF8.self)
            index += 4
            let hex = digits.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0)
            }
            guard hex, let value = UInt32(digits, radix: 16) else { return nil }
            return Unicode.Scalar(value)
        }

        /// Skips JSON white space, then consumes `byte` if it comes next.
        private mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func end() -> Bool {
            skipSpace()
            return index == bytes.count
        }

        private mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }
    }
}
