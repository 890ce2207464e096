import DBSSEmulator
import DBScoutTestSupport
import Foundation
import Testing

/// A state directory filled by a real `dbscout sniff` of recorded conversations: four registrable databases and a
/// Db2, all pending, with no servers needed.
struct SniffedInventory {
    static let captures = [
        "captures/pg15-login-ok-md5-select-version.pcap",
        "captures/mariadb10.11-login-ok-select-version.pcap",
        "public-traces/arkime/tds7.pcap",
        "public-traces/zeek/mysql/mysql.pcap",
        "public-traces/nDPI/drda_db2.pcap",
    ]

    let state = NSTemporaryDirectory() + "dbscout-inventory-\(UUID())"
    /// What the sniff reported, by `ip:port`.
    let sniffed: [String: [String: Any]]

    init() throws {
        let folder = try #require(PcapTrace.sharedTestData)
        let arguments =
            ["sniff", "--format", "json"]
            + Self.captures.flatMap { ["--read", folder.appendingPathComponent($0).path] }
        let run = try CommandLineTests.dbscout(arguments, environment: ["DBSCOUT_STATE_DIR": state])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        sniffed = try Self.byEndpoint(try Self.findings(in: run))
    }

    /// The endpoints DBSS takes, as the sniff saw them.
    var registrable: Set<String> { Set(sniffed.filter { !($0.value["dbss_type"] is NSNull) }.keys) }

    /// `dbscout ARGUMENTS` on this inventory.
    func dbscout(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandLineTests.Run {
        try CommandLineTests.dbscout(arguments, environment: environment.merging(["DBSCOUT_STATE_DIR": state]) { $1 })
    }

    /// The records as `dbscout inventory list --format json` gives them, by `ip:port`.
    func records(_ filter: [String] = []) throws -> [String: [String: Any]] {
        let run = try dbscout(["inventory", "list", "--format", "json"] + filter)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        return try Self.byEndpoint(try Self.findings(in: run))
    }

    static func document(_ run: CommandLineTests.Run) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    static func findings(in run: CommandLineTests.Run) throws -> [[String: Any]] {
        try #require(try document(run)["findings"] as? [[String: Any]])
    }

    static func byEndpoint(_ findings: [[String: Any]]) throws -> [String: [String: Any]] {
        var records: [String: [String: Any]] = [:]
        for finding in findings {
            let ip = try #require(finding["ip"] as? String)
            let port = try #require(finding["port"] as? Int)
            records[ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"] = finding
        }
        return records
    }

    /// The registration block of a record.
    static func registration(_ record: [String: Any]?) -> [String: Any] {
        record?["registration"] as? [String: Any] ?? [:]
    }
}

/// `dbscout inventory list|show|forget|export` as users run it, on an inventory a real sniff filled.
@Suite("dbscout inventory", .enabled(if: PcapTrace.sharedTestData != nil, "needs ../shared/testdata"))
struct InventoryCommandTests {
    @Test func listShowsEveryRecordAndFiltersByStatus() throws {
        let inventory = try SniffedInventory()
        let all = try inventory.records()
        #expect(Set(all.keys) == Set(inventory.sniffed.keys))
        #expect(!inventory.registrable.isEmpty && inventory.registrable.count < all.count)
        #expect(Set(try inventory.records(["--status", "pending"]).keys) == inventory.registrable)
        let notRegistrable = try inventory.records(["--status", "not_registrable"])
        #expect(Set(notRegistrable.keys) == Set(all.keys).subtracting(inventory.registrable))
        let both = try inventory.records(["--status", "pending", "--status", "not_registrable"])
        #expect(Set(both.keys) == Set(all.keys))
        #expect(try inventory.records(["--status", "registered"]).isEmpty)

        let table = try inventory.dbscout(["inventory"])
        #expect(table.status == 0)
        #expect(table.stdout == (try inventory.dbscout(["inventory", "list"])).stdout, "list is the default")
        for endpoint in all.keys { #expect(table.stdout.contains(endpoint)) }
        let json = try inventory.dbscout(["inventory", "--format", "json"])
        #expect(try SniffedInventory.findings(in: json).count == all.count, "options reach the default subcommand")
    }

    @Test func anUnknownStatusIsAUsageError() throws {
        let run = try SniffedInventory().dbscout(["inventory", "list", "--status", "done"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("'done'"), "stderr: \(run.stderr)")
    }

    @Test func showPrintsOneRecordInFull() throws {
        let inventory = try SniffedInventory()
        let endpoint = try #require(inventory.registrable.sorted().first)
        let listed = try #require(try inventory.records()[endpoint])

        let json = try inventory.dbscout(["inventory", "show", endpoint, "--format", "json"])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let record = try SniffedInventory.document(json)
        #expect(try SniffedInventory.byEndpoint([record]).keys.first == endpoint)
        let evidence = try #require(record["evidence"] as? [[String: String]])
        #expect(!evidence.isEmpty)
        #expect(evidence == listed["evidence"] as? [[String: String]])
        let registration = SniffedInventory.registration(record)
        for key in ["status", "id", "origin", "attempts", "error", "claim_owner", "claim_until", "next_attempt"] {
            #expect(registration.keys.contains(key), "missing registration.\(key)")
        }
        #expect(registration["status"] as? String == "pending")
        #expect(registration["id"] is NSNull)
        for key in ["first_seen", "last_seen", "product", "version", "os", "tls"] {
            #expect(record.keys.contains(key), "missing \(key)")
        }

        let table = try inventory.dbscout(["inventory", "show", endpoint])
        #expect(table.status == 0)
        #expect(table.stdout.contains(endpoint))
        for line in evidence {
            #expect(table.stdout.contains(line["fact"] ?? "?") && table.stdout.contains(line["value"] ?? "?"))
        }
        for label in ["Registration:", "Attempts:", "Last error:", "Claimed by:", "Next attempt:", "First seen:"] {
            #expect(table.stdout.contains(label), "missing \(label)")
        }
    }

    @Test(arguments: ["10.9.8.7:5432", "[2001:db8::7]:5432"])
    func showingAnUnknownEndpointExitsWithOne(endpoint: String) throws {
        let run = try SniffedInventory().dbscout(["inventory", "show", endpoint])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(endpoint) is not in the inventory"), "stderr: \(run.stderr)")
    }

    @Test(arguments: ["10.0.0.1", "10.0.0.1:", "10.0.0.1:0", "10.0.0.1:70000", "::1:5432", "[::1]5432", "[10.0.0.1]:1"])
    func anUnparseableEndpointExitsWithTwoNamingIt(endpoint: String) throws {
        let inventory = try SniffedInventory()
        for command in ["show", "forget"] {
            let run = try inventory.dbscout(["inventory", command, endpoint])
            #expect(run.status == 2, "\(command) \(endpoint)")
            #expect(run.stderr.contains("'\(endpoint)'"), "stderr: \(run.stderr)")
        }
        #expect(try inventory.records().count == inventory.sniffed.count)
    }

    @Test func exportGivesEverythingAsJSONAndAsCSVThatParsesBack() throws {
        let inventory = try SniffedInventory()
        let export = try inventory.dbscout(["inventory", "export"])
        #expect(export.status == 0, "stderr: \(export.stderr)")
        #expect(try SniffedInventory.document(export)["exported_at"] is String)
        let records = try SniffedInventory.byEndpoint(try SniffedInventory.findings(in: export))
        #expect(Set(records.keys) == Set(inventory.sniffed.keys))

        let csv = try inventory.dbscout(["inventory", "export", "--format", "csv"])
        #expect(csv.status == 0, "stderr: \(csv.stderr)")
        #expect(csv.stdout.hasSuffix("\r\n"))
        let rows = Self.parseCSV(csv.stdout)
        let header = try #require(rows.first)
        #expect(rows.count == records.count + 1, "a header and one row per record")
        #expect(rows.allSatisfy { $0.count == header.count })
        #expect(rows.joined().contains { $0.contains(",") }, "some field holds a comma")
        #expect(rows.joined().contains { $0.contains("\n") }, "some field holds a line break")
        for row in rows.dropFirst() {
            let fields = Dictionary(uniqueKeysWithValues: zip(header, row))
            let key = "\(fields["ip"] ?? ""):\(fields["port"] ?? "")"
            let record = try #require(records[key], "\(key) is exported")
            let evidence = try #require(record["evidence"] as? [[String: String]])
            let lines = evidence.map { "\($0["fact"] ?? "")=\($0["value"] ?? "")" }
            #expect(fields["evidence"]?.components(separatedBy: "\n") == lines, "\(key): evidence survives")
            for column in ["product", "dbss_type", "version", "os", "os_detail", "tls", "first_seen"] {
                #expect(fields[column] == (record[column] as? String ?? ""), "\(key): \(column)")
            }
            let registration = SniffedInventory.registration(record)
            #expect(fields["registration_status"] == registration["status"] as? String)
            #expect(fields["registration_attempts"] == "\(registration["attempts"] ?? "")")
        }
    }

    @Test func forgetRemovesRecordsAndReportsUnknownOnes() throws {
        let inventory = try SniffedInventory()
        let endpoints = inventory.sniffed.keys.sorted()
        let unknown = "10.9.8.7:5432"
        let run = try inventory.dbscout(["inventory", "forget", endpoints[0], unknown, "--yes"])
        #expect(run.status == 1, "an unknown endpoint is a failure")
        #expect(run.stdout.contains("Forgot \(endpoints[0])"), "stdout: \(run.stdout)")
        #expect(run.stdout.contains("Not in the inventory: \(unknown)"), "stdout: \(run.stdout)")
        #expect(Set(try inventory.records().keys) == Set(endpoints.dropFirst()))

        let again = try inventory.dbscout(["inventory", "forget", endpoints[0]])
        #expect(again.status == 1)
        #expect(again.stdout.contains("Not in the inventory: \(endpoints[0])"))

        let rest = try inventory.dbscout(["inventory", "forget"] + endpoints.dropFirst())
        #expect(rest.status == 0, "stdout: \(rest.stdout) stderr: \(rest.stderr)")
        for endpoint in endpoints.dropFirst() { #expect(rest.stdout.contains("Forgot \(endpoint)")) }
        #expect(try inventory.records().isEmpty)
    }

    /// On a terminal `forget` asks first, unless `--yes`; `script` gives it one.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1)"))
    func forgetAsksOnATerminal() throws {
        let inventory = try SniffedInventory()
        let endpoint = try #require(inventory.sniffed.keys.sorted().first)
        let declined = try Self.onTerminal(["inventory", "forget", endpoint], answer: "n", inventory: inventory)
        #expect(declined.contains("[y/N]") && declined.contains("Nothing was forgotten"), "\(declined)")
        #expect(try inventory.records()[endpoint] != nil)
        let confirmed = try Self.onTerminal(["inventory", "forget", endpoint], answer: "y", inventory: inventory)
        #expect(confirmed.contains("Forgot \(endpoint)"), "\(confirmed)")
        #expect(try inventory.records()[endpoint] == nil)
        let other = try #require(inventory.sniffed.keys.sorted().last)
        let unasked = try Self.onTerminal(["inventory", "forget", other, "--yes"], answer: "n", inventory: inventory)
        #expect(!unasked.contains("[y/N]") && unasked.contains("Forgot \(other)"), "\(unasked)")
    }

    /// A record in `submitting` (its agent killed while DBSS held the add) is kept unless `--force`.
    @Test func forgetRefusesASubmittingRecordUnlessForced() async throws {
        let inventory = try SniffedInventory()
        let emulator = try await RegisterCommandTests.startEmulator()
        emulator.injectFault(.delay(.seconds(120), target: .addDatabase))
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = ["register"]
        process.environment = RegisterCommandTests.environment(emulator, state: inventory.state)
            .merging(["PATH": "/usr/bin:/bin"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<300 where emulator.requestCount(.addDatabase) == 0 && process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try await emulator.shutdown()
        let submitting = try inventory.records(["--status", "submitting"])
        let endpoint = try #require(submitting.keys.first, "the killed agent left its record in submitting")
        #expect(submitting.count == 1)

        let refused = try inventory.dbscout(["inventory", "forget", endpoint, "--yes"])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("Not forgotten: \(endpoint)") && refused.stdout.contains("--force"))
        #expect(try inventory.records()[endpoint] != nil)

        let forced = try inventory.dbscout(["inventory", "forget", endpoint, "--force"])
        #expect(forced.status == 0, "stdout: \(forced.stdout)")
        #expect(forced.stdout.contains("Forgot \(endpoint)"))
        #expect(try inventory.records()[endpoint] == nil)
    }

    /// Runs `dbscout ARGUMENTS` with a terminal for standard input (and output), answering `answer`; returns what
    /// the terminal showed.
    static func onTerminal(_ arguments: [String], answer: String, inventory: SniffedInventory) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", ([CommandLineTests.binary.path] + arguments).joined(separator: " "), "/dev/null"]
        process.environment = ["PATH": "/usr/bin:/bin", "DBSCOUT_STATE_DIR": inventory.state]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data("\(answer)\n".utf8))
        try input.fileHandleForWriting.close()
        let text = PipeReader.readAll(output)[0]
        process.waitUntilExit()
        return String(decoding: text, as: UTF8.self)
    }

    /// An RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks; records end with CRLF.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            switch (quoted, scalar) {
            case (true, "\"") where pending == "\"":
                field.append("\"")
                pending = scalars.next()
            case (true, "\""): quoted = false
            case (true, _): field.append(scalar)
            case (false, "\""): quoted = true
            case (false, ","):
                row.append(String(field))
                field = String.UnicodeScalarView()
            case (false, "\r") where pending == "\n":
                row.append(String(field))
                rows.append(row)
                (row, field) = ([], String.UnicodeScalarView())
                pending = scalars.next()
            case (false, _): field.append(scalar)
            }
        }
        if !row.isEmpty || !field.isEmpty { rows.append(row + [String(field)]) }
        return rows
    }
}
