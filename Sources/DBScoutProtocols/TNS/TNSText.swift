/// Text as the listener sends it: printable ASCII, with line breaks, tabs and NUL padding allowed.
enum TNSText {
    /// `bytes` as a string with trailing NULs and white space dropped, or `nil` if any byte is not text.
    static func printable(_ bytes: [UInt8]) -> String? {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0 || bytes[end - 1] == 0x20 || bytes[end - 1] == 0x0a || bytes[end - 1] == 0x0d
        {
            end -= 1
        }
        let text = bytes[..<end]
        guard text.allSatisfy({ (0x20...0x7e).contains($0) || $0 == 0x09 || $0 == 0x0a || $0 == 0x0d }) else {
            return nil
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `bytes` with every run of non-printable bytes turned into one line break, for finding lines in mixed data.
    static func lines(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if (0x20...0x7e).contains(byte) {
                scalars.append(Unicode.Scalar(byte))
            } else if scalars.last != "\n" {
                scalars.append("\n")
            }
        }
        return String(scalars)
    }
}
