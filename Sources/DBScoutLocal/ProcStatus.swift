/// Parses the one field of `/proc/PID/status` that discovery needs: the parent's pid.
enum ProcStatus {
    /// The `PPid:` field of a status file, or `nil` when it is missing or malformed.
    static func parentPID(_ text: some StringProtocol) -> Int32? {
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("PPid:") {
            let value = line.dropFirst("PPid:".count).utf8.filter {
                $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t")
            }
            return decimal(value, as: Int32.self)
        }
        return nil
    }
}
