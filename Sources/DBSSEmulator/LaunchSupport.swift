import Foundation
import NIOCore

/// Process-level helpers for the `dbss-emulator` executable, kept in the library so the executable
/// stays a thin argument parser (and so these rules are unit-testable).
public enum EmulatorLaunchSupport {
    /// The value of environment variable `name`, `nil` when unset or empty.
    public static func environmentValue(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// Reads the file at `path` as UTF-8 text.
    ///
    /// - Throws: ``DBSSEmulatorError`` with code `invalidFile`; the message names the path, never
    ///   the content, since these files hold secrets.
    public static func readTextFile(atPath path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DBSSEmulatorError(.invalidFile, "cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DBSSEmulatorError(.invalidFile, "\(path) is not UTF-8 text")
        }
        return text
    }

    /// The tokens in a token file: one per line, surrounding whitespace trimmed, blank lines and
    /// lines starting with `#` skipped.
    public static func parseTokens(_ text: String) -> Set<String> {
        Set(meaningfulLines(text))
    }

    /// The users in an IAM user file: one `name:password:domain` per line, blank lines and lines
    /// starting with `#` skipped. The name is up to the first colon and the domain after the last,
    /// so a password may itself contain colons.
    ///
    /// - Throws: ``DBSSEmulatorError`` with code `invalidFile` naming the line number (not its
    ///   content, which holds a password).
    public static func parseIAMUsers(_ text: String) throws -> [IAMUser] {
        var users: [IAMUser] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            guard let first = trimmed.firstIndex(of: ":"), let last = trimmed.lastIndex(of: ":"), first < last else {
                throw DBSSEmulatorError(.invalidFile, "line \(number + 1): expected name:password:domain")
            }
            let name = String(trimmed[..<first])
            let password = String(trimmed[trimmed.index(after: first)..<last])
            let domain = String(trimmed[trimmed.index(after: last)...])
            guard !name.isEmpty, !password.isEmpty, !domain.isEmpty else {
                throw DBSSEmulatorError(.invalidFile, "line \(number + 1): name, password and domain must not be empty")
            }
            users.append(IAMUser(name: name, password: password, domain: domain))
        }
        return users
    }

    /// The secret key in an SK file: the text with surrounding whitespace and newlines trimmed.
    ///
    /// - Throws: ``DBSSEmulatorError`` with code `invalidFile` when nothing, or more than one line,
    ///   remains; the message never contains the content.
    public static func parseSecretKey(_ text: String) throws -> String {
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty, !key.contains(where: \.isNewline) else {
            throw DBSSEmulatorError(.invalidFile, "expected the secret key alone on one line")
        }
        return key
    }

    /// The API generations in a comma-separated list such as `v1,v2` (case-insensitive, spaces
    /// allowed around names).
    ///
    /// - Throws: ``DBSSEmulatorError`` with code `invalidConfiguration` for an unknown name or an
    ///   empty list.
    public static func parseAPIVersions(_ text: String) throws -> Set<DBSSAPIVersion> {
        var versions: Set<DBSSAPIVersion> = []
        for name in text.split(separator: ",") {
            let trimmed = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard let version = DBSSAPIVersion(rawValue: trimmed) else {
                let known = DBSSAPIVersion.allCases.map(\.rawValue).joined(separator: ", ")
                throw DBSSEmulatorError(.invalidConfiguration, "unknown API version '\(trimmed)'; known: \(known)")
            }
            versions.insert(version)
        }
        guard !versions.isEmpty else {
            throw DBSSEmulatorError(.invalidConfiguration, "name at least one API version")
        }
        return versions
    }

    /// Whether `host` is a loopback address (`127.0.0.0/8`, `::1`, an IPv4-mapped loopback) or
    /// `localhost`. Names other than `localhost` are not resolved and count as non-loopback.
    public static func isLoopbackHost(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard let canonical = DatabaseValidation.canonicalIPAddress(bare) else { return false }
        if canonical == "::1" { return true }
        let ipv4 = canonical.hasPrefix("::ffff:") ? String(canonical.dropFirst(7)) : canonical
        return ipv4.hasPrefix("127.") && !ipv4.contains(":")
    }

    /// Writes `line` and a newline to standard output and flushes at once, so a parent process
    /// reading through a pipe sees it immediately.
    public static func writeStandardOutputLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Suspends until the process receives SIGINT or SIGTERM and returns the signal's name.
    ///
    /// Both signals are taken from their default handler (which would kill the process) before
    /// `onReady` runs, so a parent that reacts to what `onReady` prints can signal at once and
    /// still get a clean shutdown.
    ///
    /// - Parameter onReady: Runs once the handlers are installed, e.g. to announce readiness.
    public static func waitForTerminationSignal(onReady: () -> Void = {}) async -> String {
        let (names, continuation) = AsyncStream<String>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        onReady()
        for await name in names {
            return name
        }
        return "SIGTERM"
    }

    private static func meaningfulLines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}
