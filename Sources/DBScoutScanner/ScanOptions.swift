/// How hard and how patiently the scanner works.
public struct ScanOptions: Sendable, Hashable {
    /// TCP connect deadline per attempt.
    public var connectTimeout: Duration
    /// Deadline for each reply after a request is sent.
    public var readTimeout: Duration
    /// How long to wait for a greeting on a port that is not a MySQL-family default.
    public var bannerWait: Duration
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
        concurrency: Int = 256,
        maxPerHost: Int = 4,
        maxRate: Int = 1000
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.bannerWait = bannerWait
        self.concurrency = concurrency
        self.maxPerHost = maxPerHost
        self.maxRate = maxRate
    }
}
