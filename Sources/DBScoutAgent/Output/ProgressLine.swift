import DBScoutScanner
import Foundation
import Synchronization

/// A one-line progress display on standard error, redrawn at most ten times a second, shown only when standard
/// error is a terminal (so logs and pipes stay clean).
public final class ProgressLine: Sendable {
    private let enabled: Bool
    private let lastDraw = Mutex<ContinuousClock.Instant?>(nil)

    public init(enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
    }

    public func update(_ progress: ScanProgress) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let due = lastDraw.withLock { last in
            guard progress.done == progress.total || last.map({ now - $0 >= .milliseconds(100) }) ?? true else {
                return false
            }
            last = now
            return true
        }
        guard due else { return }
        let percent = progress.total > 0 ? progress.done * 100 / progress.total : 100
        write(
            "\r\u{1B}[2Kscanning \(progress.done)/\(progress.total) endpoints (\(percent)%) · "
                + "\(progress.open) open · \(progress.identified) identified"
        )
    }

    /// Clears the line before the report is printed.
    public func finish() {
        if enabled { write("\r\u{1B}[2K") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
