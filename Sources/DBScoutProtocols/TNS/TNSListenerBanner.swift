import DBScoutCore

/// The listener's self-description, `TNSLSNR for Linux: Version 11.2.0.4.0 - Production`, which listeners that
/// answer the `version` command send (old releases, or newer ones with remote administration left open).
public struct TNSListenerBanner: Sendable, Hashable {
    /// The platform as the listener names it: `Linux`, `64-bit Windows`, `Solaris`, `IBM/AIX RISC System/6000`.
    public let platform: String
    /// The release, e.g. `11.2.0.4.0`.
    public let version: String
    /// The whole line as received.
    public let line: String

    static let marker = "TNSLSNR for "
    static let versionMarker = ": Version "
    static let maxPlatformLength = 48
    static let maxLineLength = 160

    /// Finds the first banner line in `text`.
    public static func find(in text: String) -> TNSListenerBanner? {
        guard let start = text.firstRange(of: marker) else { return nil }
        let line = String(
            text[start.lowerBound...].prefix { $0 != "\n" && $0 != "\r" && $0 != "\0" }.prefix(maxLineLength)
        )
        let afterMarker = line.dropFirst(marker.count)
        guard let split = afterMarker.firstRange(of: versionMarker) else { return nil }
        let platform = String(afterMarker[..<split.lowerBound])
        let version = String(afterMarker[split.upperBound...].prefix { $0.isASCII && ($0.isNumber || $0 == ".") })
        guard (1...maxPlatformLength).contains(platform.count), platform.allSatisfy(isPlatformCharacter),
            version.split(separator: ".").count >= 2, version.first?.isNumber == true
        else { return nil }
        return TNSListenerBanner(platform: platform, version: version, line: line)
    }

    private static func isPlatformCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || " -/_.+".contains(character))
    }

    /// The DBSS operating system the platform names, when it names one.
    public var hostOS: HostOS? {
        let name = platform.lowercased()
        if name.contains("windows") { return .windows64 }
        if name.contains("linux") { return .linux64 }
        let unixes = ["solaris", "sunos", "aix", "hpux", "hp-ux", "tru64", "osf", "unix", "macos", "darwin", "bsd"]
        return unixes.contains { name.contains($0) } ? .unix : nil
    }
}
