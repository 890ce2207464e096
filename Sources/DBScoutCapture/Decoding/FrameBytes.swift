/// Checked big-endian reads: `nil` instead of a trap when the field is not wholly inside the bytes.
extension Array where Element == UInt8 {
    func byte(at offset: Int) -> UInt8? {
        indices.contains(offset) ? self[offset] : nil
    }

    func uint16(at offset: Int) -> UInt16? {
        guard offset >= 0, offset <= count - 2 else { return nil }
        return UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    func uint32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= count - 4 else { return nil }
        return (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(self[offset + $1]) }
    }

    /// The `length` bytes at `offset` as one unsigned number, for addresses of up to 16 bytes.
    func unsigned(at offset: Int, length: Int) -> UInt128? {
        guard offset >= 0, length <= 16, offset <= count - length else { return nil }
        return self[offset..<(offset + length)].reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
    }
}
