import DBScoutCore
import DBScoutLocal
import Testing

/// `LocalListeners.scan` over a proc tree built in a temporary folder, where every answer is known.
@Suite("Local listeners in a fake proc tree")
struct FakeProcScanTests {
    /// What the test expects of one listener; the reason is checked by its prefix (which name matched).
    struct Row: Equatable, CustomStringConvertible {
        var endpoint: String
        var inode: UInt64
        var uid: UInt32
        var pid: Int32?
        var product: DatabaseProduct?
        var dbssType: DBSSType?
        var reason: String?

        init(
            _ endpoint: String,
            _ inode: UInt64,
            uid: UInt32,
            pid: Int32? = nil,
            _ product: DatabaseProduct? = nil,
            _ dbssType: DBSSType? = nil,
            reason: String? = nil
        ) {
            self.endpoint = endpoint
            self.inode = inode
            self.uid = uid
            self.pid = pid
            self.product = product
            self.dbssType = dbssType
            self.reason = reason
        }

        init(_ listener: LocalListener) {
            self.init(
                listener.endpoint.description,
                listener.inode,
                uid: listener.uid,
                pid: listener.pid,
                listener.product,
                listener.dbssType,
                reason: listener.reason.map { String($0.prefix { $0 != ":" }) }
            )
        }

        var description: String {
            "\(endpoint) #\(inode) uid \(uid) pid \(pid.map(String.init) ?? "-") \(product?.rawValue ?? "-") "
                + "\(dbssType?.rawValue ?? "-") \(reason ?? "-")"
        }
    }

    private static let tail = "1 0000000000000000 100 0 0 10 0"

    private static func buildTree(_ tree: borrowing FakeProcTree) throws {
        let wildcard6 = "00000000000000000000000000000000:0000"
        try tree.writeTable(
            "tcp",
            header: FakeProcTree.tcpHeader,
            lines: [
                "   0: 0200007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1001 \(tail)",
                "   1: 0300007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 1002 \(tail)",
                "   2: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 1003 \(tail)",
                "   3: 0500007F:270F 00000000:0000 0A 00000000:00000000 00:00000000 00000000   108        0 1004 \(tail)",
                "   4: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1005 \(tail)",
                // A connection to the PostgreSQL server and a closed one: not listeners.
                "   5: 0200007F:1538 0100007F:9C40 01 00000000:00000000 02:000AFC7B 00000000   104        0 1006 \(tail)",
                "   6: 0100007F:9C41 0100007F:1538 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0",
                "   7: 0A00000A:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1007 \(tail)",
                "garbage that is not a socket",
            ]
        )
        try tree.writeTable(
            "tcp6",
            header: FakeProcTree.tcp6Header,
            lines: [
                "   0: 00000000000000000000000000000000:0599 \(wildcard6) 0A 00000000:00000000 00:00000000 00000000   "
                    + "  999        0 2001 \(tail)",
                "   1: 00000000000000000000000001000000:6989 \(wildcard6) 0A 00000000:00000000 00:00000000 00000000   "
                    + "  107        0 2002 \(tail)",
                "   2: 0000000000000000FFFF00000100007F:1474 \(wildcard6) 0A 00000000:00000000 00:00000000 00000000   "
                    + " 1001        0 2003 \(tail)",
                "   3: B80D0120000000000000000007000000:05F1 \(wildcard6) 0A 00000000:00000000 00:00000000 00000000   "
                    + "   54        0 2004 \(tail)",
            ]
        )
        try addServers(tree)
        try tree.addFolder("sys")
        try tree.addFolder("net/stat")
        try tree.write("not a process", to: "version")
    }

    private static func addServers(_ tree: borrowing FakeProcTree) throws {
        let line = FakeProcTree.commandLine
        try tree.addProcess(
            pid: 540,
            command: "postgres",
            executable: "/usr/lib/postgresql/15/bin/postgres",
            commandLine: line("/usr/lib/postgresql/15/bin/postgres", "-D", "/var/lib/postgresql/15/main"),
            descriptors: ["/dev/null", "pipe:[77]", "socket:[1001]", "anon_inode:[eventfd]", "socket:[5555]"]
        )
        // A backend serving the connection: it holds that socket, not the listener.
        try tree.addProcess(
            pid: 560,
            parent: 540,
            command: "postgres",
            executable: "/usr/lib/postgresql/15/bin/postgres",
            commandLine: Array("postgres: 15/main: app db 127.0.0.1(40000) idle".utf8),
            descriptors: ["socket:[1006]"]
        )
        try tree.addProcess(
            pid: 706,
            command: "mysqld",
            executable: "/usr/sbin/mariadbd",
            commandLine: line("/usr/sbin/mysqld", "--defaults-file=/etc/mysql/my.cnf"),
            descriptors: ["socket:[1002]"]
        )
        try tree.addProcess(
            pid: 800,
            command: "redis-server",
            executable: "/usr/bin/redis-check-rdb",
            commandLine: Array("redis-server *:6379".utf8) + [UInt8](repeating: 0, count: 30),
            descriptors: ["socket:[1003]"]
        )
        // Pgpool-II: the master and its pre-forked children all hold the listener; the children have lower pids
        // here, so only the parent rule picks the master.
        for (pid, parent) in [(900, 1), (640, 900), (641, 900)] as [(Int32, Int32)] {
            try tree.addProcess(
                pid: pid,
                parent: parent,
                command: "pgpool",
                executable: "/usr/sbin/pgpool",
                commandLine: pid == 900 ? line("pgpool", "-n") : Array("pgpool: wait for connection request".utf8),
                descriptors: ["/dev/null", "socket:[1004]"]
            )
        }
        try tree.addProcess(
            pid: 1200,
            command: "python3",
            executable: "/usr/bin/python3.11",
            commandLine: line("python3", "-m", "http.server", "--bind", "10.0.0.10", "8080"),
            descriptors: ["socket:[1007]"]
        )
        try tree.addProcess(
            pid: 1300,
            command: "sqlservr",
            executable: "/opt/mssql/bin/sqlservr",
            commandLine: line("/opt/mssql/bin/sqlservr"),
            descriptors: ["socket:[2001]"]
        )
        try tree.addProcess(
            pid: 1400,
            command: "mongod",
            executable: "/usr/bin/mongod",
            commandLine: line("/usr/bin/mongod", "--config", "/etc/mongod.conf"),
            descriptors: ["socket:[2002]"]
        )
        try tree.addProcess(
            pid: 1500,
            command: "dmserver",
            executable: "/opt/dmdbms/bin/dmserver",
            commandLine: line("/opt/dmdbms/bin/dmserver", "path=/opt/dmdbms/data/DAMENG/dm.ini"),
            descriptors: ["socket:[2003]"]
        )
        try tree.addProcess(
            pid: 1600,
            command: "tnslsnr",
            executable: "/u01/app/oracle/product/19c/bin/tnslsnr (deleted)",
            commandLine: line("/u01/app/oracle/product/19c/bin/tnslsnr", "LISTENER", "-inherit"),
            descriptors: ["socket:[2004]"]
        )
        // A process whose descriptors cannot be read, and one with no executable link (a kernel thread).
        try tree.addProcess(
            pid: 1700,
            command: "secret",
            executable: "/usr/bin/secret",
            commandLine: [],
            descriptors: nil
        )
        try tree.addProcess(pid: 2, command: "kthreadd", executable: nil, commandLine: [], descriptors: [])
    }

    @Test func scanFindsEveryListenerWithItsProcessAndProduct() throws {
        let tree = try FakeProcTree()
        try Self.buildTree(tree)
        let listeners = try LocalListeners.scan(procRoot: tree.root)
        #expect(
            listeners.map(Row.init) == [
                Row("0.0.0.0:6379", 1003, uid: 106, pid: 800, .redis, reason: "command redis-server"),
                Row("10.0.0.10:8080", 1007, uid: 1000, pid: 1200),
                Row("127.0.0.1:22", 1005, uid: 0),
                Row(
                    "127.0.0.2:5432",
                    1001,
                    uid: 104,
                    pid: 540,
                    .postgresql,
                    .postgresql,
                    reason: "executable postgres"
                ),
                Row("127.0.0.3:3306", 1002, uid: 105, pid: 706, .mariadb, .mysql, reason: "executable mariadbd"),
                Row("127.0.0.5:9999", 1004, uid: 108, pid: 900, .pgpool, reason: "executable pgpool"),
                Row("[::]:1433", 2001, uid: 999, pid: 1300, .sqlserver, .sqlserver, reason: "executable sqlservr"),
                Row("[::1]:27017", 2002, uid: 107, pid: 1400, .mongodb, .mongodb, reason: "executable mongod"),
                Row("[::ffff:7f00:1]:5236", 2003, uid: 1001, pid: 1500, nil, .dameng, reason: "executable dmserver"),
                Row("[2001:db8::7]:1521", 2004, uid: 54, pid: 1600, .oracle, .oracle, reason: "executable tnslsnr"),
            ]
        )
    }

    @Test func aListenerCarriesItsProcessNamesAndArguments() throws {
        let tree = try FakeProcTree()
        try Self.buildTree(tree)
        let listeners = try LocalListeners.scan(procRoot: tree.root)
        let postgres = try #require(listeners.first { $0.inode == 1001 })
        #expect(postgres.command == "postgres")
        #expect(postgres.executable == "/usr/lib/postgresql/15/bin/postgres")
        #expect(postgres.arguments == ["/usr/lib/postgresql/15/bin/postgres", "-D", "/var/lib/postgresql/15/main"])
        let redis = try #require(listeners.first { $0.inode == 1003 })
        #expect(redis.arguments == ["redis-server *:6379"])
        #expect(redis.executable == "/usr/bin/redis-check-rdb")
        let oracle = try #require(listeners.first { $0.inode == 2004 })
        #expect(oracle.executable == "/u01/app/oracle/product/19c/bin/tnslsnr (deleted)")
        let unowned = try #require(listeners.first { $0.inode == 1005 })
        #expect(unowned.command == nil && unowned.executable == nil && unowned.arguments.isEmpty)
    }

    /// Wildcards are probed on the loopback address of their family, v4-mapped addresses as IPv4.
    @Test func probeEndpointsStayOnThisHost() throws {
        let tree = try FakeProcTree()
        try Self.buildTree(tree)
        let probes = try LocalListeners.scan(procRoot: tree.root).map(\.probeEndpoint.description)
        #expect(
            probes == [
                "127.0.0.1:6379", "10.0.0.10:8080", "127.0.0.1:22", "127.0.0.2:5432", "127.0.0.3:3306",
                "127.0.0.5:9999", "[::1]:1433", "[::1]:27017", "127.0.0.1:5236", "[2001:db8::7]:1521",
            ]
        )
        let mappedWildcard = LocalListener(endpoint: .parse("::ffff:0.0.0.0", 80), inode: 1, uid: 0)
        #expect(mappedWildcard.probeEndpoint == .parse("127.0.0.1", 80))
    }

    @Test func aKernelWithoutIPv6HasNoTCP6Table() throws {
        let tree = try FakeProcTree()
        try tree.writeTable(
            "tcp",
            header: FakeProcTree.tcpHeader,
            lines: [
                "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1005 \(Self.tail)"
            ]
        )
        let listeners = try LocalListeners.scan(procRoot: tree.root)
        #expect(listeners.map(Row.init) == [Row("127.0.0.1:22", 1005, uid: 0)])
    }

    @Test func aMissingProcIsAClearError() throws {
        let tree = try FakeProcTree()
        let error = #expect(throws: LocalDiscoveryError.self) { try LocalListeners.scan(procRoot: tree.root) }
        #expect(error?.code == .procUnavailable)
        #expect(error?.message.contains("\(tree.root)/net/tcp") == true)
        #expect(throws: LocalDiscoveryError(.procUnavailable, "")) {
            try LocalListeners.scan(procRoot: "\(tree.root)/no-such-folder")
        }
    }

    @Test func anUnreadableTableIsAnError() throws {
        let tree = try FakeProcTree()
        try tree.addFolder("net/tcp")
        let error = #expect(throws: LocalDiscoveryError.self) { try LocalListeners.scan(procRoot: tree.root) }
        #expect(error?.code == .unreadableTable)
    }
}
