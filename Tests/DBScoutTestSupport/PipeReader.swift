import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads child processes' output pipes to their end. Both pipes are read at once, so a child that fills one
/// (say, debug logs on standard error) while the test waits on the other cannot deadlock; an interrupted read is
/// retried instead of trapping, as `readDataToEndOfFile` does on EINTR.
public enum PipeReader {
    /// Everything written to each pipe, in order, once every writer has closed it.
    public static func readAll(_ pipes: Pipe...) -> [Data] {
        let results = pipes.map { _ in Box() }
        let group = DispatchGroup()
        for (pipe, box) in zip(pipes, results) {
            let descriptor = pipe.fileHandleForReading.fileDescriptor
            group.enter()
            Thread.detachNewThread {
                box.data = drain(descriptor)
                group.leave()
            }
        }
        group.wait()
        return results.map(\.data)
    }

    private static func drain(_ descriptor: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count > 0 {
                data.append(contentsOf: buffer[..<count])
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return data
            }
        }
    }

    /// One reader's result; written by its thread before the group is left, read after the wait.
    private final class Box: @unchecked Sendable {
        var data = Data()
    }
}
