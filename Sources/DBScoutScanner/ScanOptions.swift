/// How hard and how patiently the scanner works.
public struct ScanOptions: Sendable, Hashable {
    /// TCP connect deadline per attempt.
    public var connectTimeout: Duration
    /// Deadline for each reply after a request is sent.
    public var readTimeout: Duration
    /// How long to wait for a greeting on a port that is not a MySQL-family default.
    public var bannerWait: Duration
    /// The reply deadline for protocols tried on a port that is not theirs: a real server answers a handshake
    /// in milliseconds, and an unknown service should not cost every protocol a full read timeout.
    public var fallbackReadTimeout: Duration
    /// Endpoints probed at once.
    public var concurrency: Int
    /// Endpoints of one host probed at once, to be gentle with production servers.
    public var maxPerHost: Int
    /// New connections per second across the whole scan.
    public var maxRate: Int

    public init(
        connectTimeout: Duration = .milliseconds(1500),
        readTimeout: Duration = .seconds(3),
        bannerWait: Duration = .milliseconds(500),
        fallbackReadTimeout: Duration = .seconds(1),
        concurrency: Int = 256,
        maxPerHost: Int = 4,
        maxRate: Int = 1000
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.bannerWait = bannerWait
        self.fallbackReadTimeout = fallbackReadTimeout
        self.concurrency = concurrency
        self.maxPerHost = maxPerHost
        self.maxRate = maxRate
    }
}
