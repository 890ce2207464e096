import NIOCore

/// `INFO server` as a RESP array: one round trip that yields the version and OS of an open server, or an
/// error naming the server's state (`-NOAUTH`, `-DENIED`).
public enum RedisInfoRequest {
    public static func encode() -> ByteBuffer {
        ByteBuffer(string: "*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
    }
}
