import DBScoutCore
import Foundation

/// Who holds a claim in a shared inventory: this host, this process, and when the process started (so that a
/// reused process id is not mistaken for the agent that made the claim).
public struct AgentIdentity: Sendable, Hashable {
    public let host: String
    public let pid: Int32
    /// The process's start time in clock ticks since boot, from `/proc/PID/stat`.
    public let started: String

    public init(host: String, pid: Int32, started: String) {
        self.host = host
        self.pid = pid
        self.started = started
    }

    /// This process.
    public static let current = AgentIdentity(
        host: ProcessInfo.processInfo.hostName,
        pid: getpid(),
        started: startTime(of: getpid()) ?? UUID().uuidString
    )

    /// The claim owner string stored in the inventory: `host/pid/started`.
    public var owner: String { "\(host)/\(pid)/\(started)" }

    /// Whether this agent may take over a record another agent left in `submitting`: its own claims, lapsed
    /// claims, and claims of processes on this host that no longer run. A live agent elsewhere keeps its claim
    /// until it lapses.
    public func mayTakeOver(_ claim: RegistrationClaim?, now: Date) -> Bool {
        guard let claim else { return true }
        if claim.owner == owner || claim.until < now { return true }
        let parts = claim.owner.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == host, let pid = Int32(parts[1]) else { return false }
        return Self.startTime(of: pid) != String(parts[2])
    }

    /// Field 22 of `/proc/PID/stat`, or `nil` when no such process runs.
    static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // The command name in parentheses may hold spaces; the fields after it are plain. State is field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }
}
