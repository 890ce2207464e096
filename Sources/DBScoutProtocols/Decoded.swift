/// The result of decoding a message from bytes that may still be arriving.
public enum Decoded<Value: Sendable>: Sendable {
    /// A whole message, and how many bytes it took.
    case message(Value, consumed: Int)
    /// The bytes so far are a valid prefix; read more.
    case needMoreData
    /// The bytes cannot be this message; the text says why, for evidence and debugging.
    case invalid(String)
}

extension Decoded {
    /// The decoded message, if complete.
    public var value: Value? {
        if case .message(let value, _) = self { return value }
        return nil
    }
}
