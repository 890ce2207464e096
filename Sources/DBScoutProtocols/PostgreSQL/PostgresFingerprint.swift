/// Pre-authentication facts of one PostgreSQL release: where its startup errors come from, and which
/// protocol features it has. The table itself is generated (see `PostgresFingerprintTable.swift`).
struct PostgresFingerprint: Sendable {
    let version: String
    let file: String
    /// The line of the unsupported-protocol error: first line of the statement (GCC) and closing line (clang).
    let unsupportedProtocolLines: [Int]
    /// The same two lines for the "no PostgreSQL user name" error.
    let noUserLines: [Int]
    let protocolEarliest: String
    let protocolLatest: String
    let gssenc: Bool
    let negotiatesProtocol: Bool
    let nonLocalizedSeverity: Bool

    /// `15` for 15.4, `9.6` for 9.6.24: the major release as PostgreSQL numbers it.
    var major: String {
        let parts = version.split(separator: ".")
        return parts.first.flatMap { Int($0) }.map { $0 >= 10 ? String($0) : parts.prefix(2).joined(separator: ".") }
            ?? version
    }
}

/// What the startup errors say about a server's release.
public struct PostgresVersionEstimate: Sendable, Hashable {
    /// How the estimate was reached, from most to least exact.
    public enum Basis: String, Sendable, Hashable {
        /// The source file and line match these releases exactly.
        case exactLine = "exact-line"
        /// No release matches the line; the nearest lines of the same file and protocol range belong to one
        /// major, so this is most likely a distribution's patched build of it.
        case nearestLine = "nearest-line"
        /// Only the protocol range and error fields narrow it down.
        case protocolBracket = "protocol-bracket"
    }

    /// The oldest and newest matching releases, e.g. `15.2` and `15.4`.
    public let oldest: String
    public let newest: String
    /// The majors the candidates span, oldest first, e.g. `["15"]` or `["14", "15", "16", "17"]`.
    public let majors: [String]
    public let basis: Basis

    /// As exact as the evidence allows: `15.2` or `15.18-15.19` for an exact line, `15` when only the major is
    /// certain, `14-17` when not even that is.
    public var summary: String {
        if basis == .exactLine, majors.count == 1 { return oldest == newest ? oldest : "\(oldest)-\(newest)" }
        if majors.count == 1 { return majors[0] }
        return "\(majors.first!)-\(majors.last!)"
    }
}

extension PostgresVersionEstimate {
    /// The widest gap, in lines, still read as a patched build of the nearest release.
    static let nearMissWindow = 60

    /// Estimates the release from the two pre-authentication errors and the protocol range the server states.
    ///
    /// - Parameters:
    ///   - unsupportedProtocol: the error to a startup with an unsupported protocol major, if the server sent one.
    ///   - noUser: the error to a startup without a user name, if the server sent one.
    ///   - range: the `A.0 to B.C` range the first error states, if it could be read.
    ///   - gssenc: whether the server understood GSSENCRequest (12 and later), if it was asked.
    public static func estimate(
        unsupportedProtocol: PostgresErrorResponse?,
        noUser: PostgresErrorResponse?,
        range: PostgresProtocolRange?,
        gssenc: Bool? = nil
    ) -> Self? {
        let errors = [unsupportedProtocol, noUser].compactMap { $0 }
        guard let first = errors.first else { return nil }
        let file = first.file.map(basename)
        let hasV = first.nonLocalizedSeverity != nil
        let lines = (unsupportedProtocol?.line.flatMap { Int($0) }, noUser?.line.flatMap { Int($0) })
        let plausible = PostgresFingerprint.releases.filter { release in
            release.nonLocalizedSeverity == hasV && (gssenc.map { release.gssenc == $0 } ?? true)
                && (range.map { release.protocolEarliest == $0.earliest && release.protocolLatest == $0.latest } ?? true)
        }
        guard !plausible.isEmpty else { return nil }
        let sameFile = plausible.filter { file == nil || $0.file == file }
        if lines.0 != nil || lines.1 != nil {
            let exact = sameFile.filter { distance($0, lines) == 0 }
            if !exact.isEmpty { return make(exact, basis: .exactLine) }
            if let nearest = nearest(sameFile, to: lines), Set(nearest.map(\.major)).count == 1 {
                return make(nearest, basis: .nearestLine)
            }
        }
        return make(sameFile.isEmpty ? plausible : sameFile, basis: .protocolBracket)
    }

    /// How far a release's lines are from the observed ones, summed over the lines observed.
    private static func distance(_ release: PostgresFingerprint, _ lines: (Int?, Int?)) -> Int {
        func gap(_ candidates: [Int], _ line: Int?) -> Int {
            line.map { line in candidates.map { abs($0 - line) }.min() ?? .max } ?? 0
        }
        return gap(release.unsupportedProtocolLines, lines.0) + gap(release.noUserLines, lines.1)
    }

    private static func nearest(_ candidates: [PostgresFingerprint], to lines: (Int?, Int?)) -> [PostgresFingerprint]? {
        let window = nearMissWindow * ((lines.0 == nil ? 0 : 1) + (lines.1 == nil ? 0 : 1))
        guard let best = candidates.map({ distance($0, lines) }).min(), best <= window else { return nil }
        return candidates.filter { distance($0, lines) == best }
    }

    private static func make(_ releases: [PostgresFingerprint], basis: Basis) -> Self {
        var majors: [String] = []
        for release in releases where !majors.contains(release.major) { majors.append(release.major) }
        return PostgresVersionEstimate(
            oldest: releases.first!.version,
            newest: releases.last!.version,
            majors: majors,
            basis: basis
        )
    }

    /// `postmaster.c` from `postmaster.c`, `src/backend/postmaster/postmaster.c` or a Windows path.
    static func basename(_ path: String) -> String {
        String(path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? Substring(path))
    }
}
