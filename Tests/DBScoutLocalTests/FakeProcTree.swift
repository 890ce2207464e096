import Foundation

/// A proc file system laid out in a temporary folder: `net/tcp`, `net/tcp6` and `PID/{fd/N, comm, exe, cmdline,
/// status}`, with real symbolic links where the kernel has links.
struct FakeProcTree: ~Copyable {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dbscout-proc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Writes `net/NAME` with the kernel's header line followed by `lines`.
    func writeTable(_ name: String, header: String, lines: [String]) throws {
        try FileManager.default.createDirectory(atPath: "\(root)/net", withIntermediateDirectories: true)
        try write(([header] + lines).map { $0 + "\n" }.joined(), to: "net/\(name)")
    }

    /// Adds a process. `descriptors` are link targets such as `socket:[1001]` or `/dev/null`; `nil` leaves out the
    /// fd folder, as for a process whose descriptors cannot be read.
    func addProcess(
        pid: Int32,
        parent: Int32 = 1,
        command: String,
        executable: String?,
        commandLine: [UInt8],
        descriptors: [String]?
    ) throws {
        let directory = "\(root)/\(pid)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try write("\(command)\n", to: "\(pid)/comm")
        try write(
            "Name:\t\(command)\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t\(pid)\nPPid:\t\(parent)\n",
            to: "\(pid)/status"
        )
        try Data(commandLine).write(to: URL(fileURLWithPath: "\(directory)/cmdline"))
        if let executable {
            try FileManager.default.createSymbolicLink(atPath: "\(directory)/exe", withDestinationPath: executable)
        }
        guard let descriptors else { return }
        try FileManager.default.createDirectory(atPath: "\(directory)/fd", withIntermediateDirectories: true)
        for (number, target) in descriptors.enumerated() {
            try FileManager.default.createSymbolicLink(atPath: "\(directory)/fd/\(number)", withDestinationPath: target)
        }
    }

    /// Adds an entry that is not a process, such as `sys` or `net`'s siblings.
    func addFolder(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
    }

    func write(_ text: String, to relativePath: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(root)/\(relativePath)"))
    }

    /// NUL-terminated arguments, as the kernel lays out an untouched command line.
    static func commandLine(_ arguments: String...) -> [UInt8] {
        arguments.flatMap { Array($0.utf8) + [0] }
    }

    static let tcpHeader =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
    static let tcp6Header =
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
        + "tm->when retrnsmt   uid  timeout inode"
}
