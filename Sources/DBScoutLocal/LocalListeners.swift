import DBScoutCore

/// Finds this host's listening TCP sockets and the processes that hold them, from the proc file system.
///
/// The sockets come from `net/tcp` and `net/tcp6`, which list the network namespace of the process that reads them
/// (run the daemon in the host's namespace to see the host's databases). Each socket's inode is then looked up among
/// the descriptors of every process (`PID/fd/N` links reading `socket:[INODE]`), and the holder's `comm`, `exe` and
/// `cmdline` name it. Reading another user's descriptors needs root or `CAP_SYS_PTRACE`; without it those sockets
/// are still listed, with no process.
public enum LocalListeners {
    /// Lists the listening TCP sockets, sorted by endpoint.
    ///
    /// - Parameter procRoot: Where the proc file system is mounted; tests point it at a fake tree.
    /// - Returns: One listener per listening socket, IPv4 and IPv6.
    /// - Throws: ``LocalDiscoveryError`` `procUnavailable` when `procRoot/net/tcp` does not exist, `unreadableTable`
    ///   when a TCP table exists but cannot be read. Processes that cannot be read are not errors.
    public static func scan(procRoot: String = "/proc") throws(LocalDiscoveryError) -> [LocalListener] {
        let sockets = try table(procRoot, "tcp", required: true) + table(procRoot, "tcp6", required: false)
        let holders = socketHolders(procRoot, inodes: Set(sockets.map(\.inode)))
        var processes: [Int32: ProcessSnapshot] = [:]
        var listeners: [LocalListener] = []
        for socket in sockets {
            let pids = holders[socket.inode] ?? []
            for pid in pids where processes[pid] == nil {
                processes[pid] = ProcessSnapshot(pid: pid, procRoot: procRoot)
            }
            let holder = ProcessSnapshot.principal(of: pids.compactMap { processes[$0] }, holders: pids)
            listeners.append(
                LocalListener(
                    endpoint: socket.local,
                    inode: socket.inode,
                    uid: socket.uid,
                    pid: holder?.pid,
                    command: holder?.command,
                    executable: holder?.executable,
                    arguments: holder?.arguments ?? [],
                    recognition: holder?.recognition
                )
            )
        }
        return listeners.sorted { ($0.endpoint, $0.inode) < ($1.endpoint, $1.inode) }
    }

    /// The listening sockets of one table. `tcp6` is absent when the kernel runs without IPv6, which is no error.
    private static func table(
        _ procRoot: String,
        _ name: String,
        required: Bool
    ) throws(LocalDiscoveryError) -> [ProcNetTCPEntry] {
        let path = "\(procRoot)/net/\(name)"
        do {
            // Generous: a busy server's table holds every connection, about 150 bytes each.
            let bytes = try ProcFiles.bytes(path, limit: 256 << 20)
            return ProcNetTCP.parseTable(String(decoding: bytes, as: UTF8.self)).filter(\.isListening)
        } catch let failure where failure.isMissing {
            guard required else { return [] }
            throw LocalDiscoveryError(.procUnavailable, "no TCP table at \(path): is the proc file system mounted?")
        } catch {
            throw LocalDiscoveryError(.unreadableTable, "cannot read \(path): \(error.text)")
        }
    }

    /// Which processes hold each of `inodes`, found through their descriptor links.
    private static func socketHolders(_ procRoot: String, inodes: Set<UInt64>) -> [UInt64: Set<Int32>] {
        var holders: [UInt64: Set<Int32>] = [:]
        guard !inodes.isEmpty else { return holders }
        for name in ProcFiles.entries(procRoot) ?? [] {
            guard let pid = decimal(name.utf8, as: Int32.self) else { continue }
            let descriptors = "\(procRoot)/\(name)/fd"
            for descriptor in ProcFiles.entries(descriptors) ?? [] {
                guard let target = ProcFiles.linkTarget("\(descriptors)/\(descriptor)"),
                    let inode = SocketLink.inode(target), inodes.contains(inode)
                else { continue }
                holders[inode, default: []].insert(pid)
            }
        }
        return holders
    }
}

/// What discovery reads about one process. Any part may be missing: the process may exit while it is read.
private struct ProcessSnapshot {
    let pid: Int32
    let parent: Int32?
    let command: String?
    let executable: String?
    let arguments: [String]
    let recognition: ProcessRecognition?

    init(pid: Int32, procRoot: String) {
        let directory = "\(procRoot)/\(pid)"
        self.pid = pid
        parent = ProcFiles.text("\(directory)/status").flatMap(ProcStatus.parentPID)
        // The kernel ends the name with a newline.
        command = ProcFiles.text("\(directory)/comm").map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }
        executable = ProcFiles.linkTarget("\(directory)/exe")
        arguments = ProcCommandLine.arguments((try? ProcFiles.bytes("\(directory)/cmdline", limit: 1 << 20)) ?? [])
        recognition = ProcessRecognition.recognise(executable: executable, command: command)
    }

    /// The process to report for a socket several processes share (a pre-forking server, or a parent that kept the
    /// socket it handed to a child): a recognised database first, then one whose parent does not share the socket
    /// (the master rather than its workers), then the lowest pid, so the choice is stable.
    static func principal(of processes: [ProcessSnapshot], holders: Set<Int32>) -> ProcessSnapshot? {
        processes.min { lhs, rhs in
            lhs.rank(holders) < rhs.rank(holders)
        }
    }

    private func rank(_ holders: Set<Int32>) -> (Int, Int, Int32) {
        (recognition == nil ? 1 : 0, parent.map(holders.contains) == true ? 1 : 0, pid)
    }
}
