import NIOCore

/// How a command travels: OP_MSG for servers of 3.6 and later, OP_QUERY on `admin.$cmd` for older ones.
public enum MongoDBTransport: String, Sendable, Hashable {
    case opMsg = "OP_MSG"
    case opQuery = "OP_QUERY"
}

/// The commands a probe sends. All three are allowed before authentication.
public enum MongoDBCommand: String, Sendable, Hashable, CaseIterable {
    /// The handshake of 4.4.2 and later (and of late 3.6, 4.0 and 4.2 patch releases).
    case hello
    /// The handshake under its old name, which every version knows.
    case isMaster
    /// Version, git hash and build environment (target OS, distribution).
    case buildInfo

    /// The command document, `{<name>: 1}`.
    public var document: BSONDocument { [rawValue: 1] }

    /// The request bytes. OP_MSG names the database in `$db`; OP_QUERY in the collection `admin.$cmd`.
    public func encode(over transport: MongoDBTransport, requestID: Int32) -> ByteBuffer {
        switch transport {
        case .opMsg:
            var command = document
            command.elements.append(BSONElement("$db", "admin"))
            return MongoDBOpMsg.encode(command, requestID: requestID)
        case .opQuery:
            return MongoDBOpQuery.encode(document, requestID: requestID)
        }
    }
}
