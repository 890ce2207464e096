/// Byte caps that keep every probe bounded in memory whatever a server sends.
public enum ProbeLimits {
    /// The most a probe reads from one connection before it gives up.
    public static let maxResponseBytes = 64 * 1024
}
