import DBScoutCore

/// A TCP socket listening on this host, with the process that holds it when that process can be read.
public struct LocalListener: Hashable, Sendable {
    /// The address and port as the kernel reports them: the wildcards `0.0.0.0` and `::` are kept as they are
    /// (use ``probeEndpoint`` to connect).
    public let endpoint: Endpoint
    /// The socket's inode, which tells apart two sockets on one port (`SO_REUSEPORT`).
    public let inode: UInt64
    /// The user that owns the socket; known even when its process cannot be read.
    public let uid: UInt32
    /// The process holding the socket, or `nil` when no readable process holds it (another user's process without
    /// the privilege to read its descriptors, or a process in another pid namespace). When several processes share
    /// the socket (a pre-forking server such as Pgpool-II), this is the recognised database process, preferring
    /// the one whose parent does not hold the socket, then the lowest pid.
    public let pid: Int32?
    /// The process's command name (`/proc/PID/comm`).
    public let command: String?
    /// The process's executable (`/proc/PID/exe`), with the kernel's ` (deleted)` suffix when the file was replaced.
    public let executable: String?
    /// The process's arguments (`/proc/PID/cmdline`); one argument holding the title for servers that rewrite it.
    public let arguments: [String]
    /// The database product the process is, from its name (``ProcessRecognition``); the probe finds the version.
    public let product: DatabaseProduct?
    /// The DBSS type the process suggests, also for servers without a ``product`` case (Dameng, GBase 8s).
    public let dbssType: DBSSType?
    /// Why the process was recognised as a database server; `nil` when it was not.
    public let reason: String?

    /// Creates a listener.
    public init(
        endpoint: Endpoint,
        inode: UInt64,
        uid: UInt32,
        pid: Int32? = nil,
        command: String? = nil,
        executable: String? = nil,
        arguments: [String] = [],
        recognition: ProcessRecognition? = nil
    ) {
        self.endpoint = endpoint
        self.inode = inode
        self.uid = uid
        self.pid = pid
        self.command = command
        self.executable = executable
        self.arguments = arguments
        self.product = recognition?.product
        self.dbssType = recognition?.dbssType
        self.reason = recognition?.reason
    }

    /// The endpoint to connect to when probing this listener from this host.
    ///
    /// A wildcard listener accepts on every address of its family, so the loopback address of the same family
    /// reaches it without leaving the host: `0.0.0.0` becomes `127.0.0.1` and `::` becomes `::1`. (A `::` socket
    /// usually accepts IPv4 too, but `::1` works whether or not `IPV6_V6ONLY` is set.) An IPv4-mapped IPv6 address
    /// (`::ffff:10.0.0.5`) becomes the IPv4 address. Any other address is probed as it is.
    public var probeEndpoint: Endpoint {
        Endpoint(address: Self.probeAddress(endpoint.address), port: endpoint.port)
    }

    private static func probeAddress(_ address: IPAddress) -> IPAddress {
        switch address {
        case .v4(0): return .v4(0x7F00_0001)
        case .v6(0): return .v6(1)
        case .v6(let value) where value >> 32 == 0xffff:
            return probeAddress(.v4(UInt32(truncatingIfNeeded: value)))
        default: return address
        }
    }
}
