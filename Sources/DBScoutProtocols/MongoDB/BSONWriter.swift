import NIOCore

/// Writes BSON documents: the commands a probe sends, and the replies tests play back.
public enum BSONWriter {
    /// The document's bytes.
    public static func encode(_ document: BSONDocument) -> ByteBuffer {
        var buffer = ByteBuffer()
        write(document, to: &buffer)
        return buffer
    }

    /// Appends the document to `buffer`. Keys are written up to their first NUL, which BSON cannot carry in a key.
    public static func write(_ document: BSONDocument, to buffer: inout ByteBuffer) {
        writeElements(document.elements, to: &buffer)
    }

    private static func writeElements(_ elements: [BSONElement], to buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(Int32(0), endianness: .little)
        for element in elements {
            buffer.writeInteger(typeByte(element.value))
            buffer.writeBytes(element.key.utf8.prefix { $0 != 0 })
            buffer.writeInteger(UInt8(0))
            writeValue(element.value, to: &buffer)
        }
        buffer.writeInteger(UInt8(0))
        buffer.setInteger(Int32(truncatingIfNeeded: buffer.writerIndex - start), at: start, endianness: .little)
    }

    private static func writeValue(_ value: BSONValue, to buffer: inout ByteBuffer) {
        switch value {
        case .double(let number): buffer.writeInteger(number.bitPattern, endianness: .little)
        case .string(let text):
            buffer.writeInteger(Int32(truncatingIfNeeded: text.utf8.count + 1), endianness: .little)
            buffer.writeString(text)
            buffer.writeInteger(UInt8(0))
        case .document(let document): writeElements(document.elements, to: &buffer)
        case .array(let values):
            writeElements(values.enumerated().map { BSONElement(String($0.offset), $0.element) }, to: &buffer)
        case .binary(let subtype, let bytes):
            buffer.writeInteger(Int32(truncatingIfNeeded: bytes.count), endianness: .little)
            buffer.writeInteger(subtype)
            buffer.writeBytes(bytes)
        case .objectID(let bytes):
            // Exactly twelve bytes, padded or cut, so the document stays readable.
            buffer.writeBytes((bytes + Array(repeating: 0, count: 12)).prefix(12))
        case .bool(let flag): buffer.writeInteger(UInt8(flag ? 1 : 0))
        case .dateTime(let milliseconds): buffer.writeInteger(milliseconds, endianness: .little)
        case .null: break
        case .int32(let number): buffer.writeInteger(number, endianness: .little)
        case .timestamp(let stamp): buffer.writeInteger(stamp, endianness: .little)
        case .int64(let number): buffer.writeInteger(number, endianness: .little)
        }
    }

    private static func typeByte(_ value: BSONValue) -> UInt8 {
        switch value {
        case .double: 0x01
        case .string: 0x02
        case .document: 0x03
        case .array: 0x04
        case .binary: 0x05
        case .objectID: 0x07
        case .bool: 0x08
        case .dateTime: 0x09
        case .null: 0x0A
        case .int32: 0x10
        case .timestamp: 0x11
        case .int64: 0x12
        }
    }
}
