/// MongoDB releases by the highest wire version they speak (`maxWireVersion` in `hello`).
///
/// Each release from 4.7 on raised the wire version by one; before that only some releases did. Sources: the
/// server's `wire_version.h` enumerators as mirrored by drivers (2.6 → 2 ... 4.4 → 9, 4.7 → 10 ... 6.1 → 18), and
/// 7.0 → 21, 8.0 → 25 (discovery-techniques.md §1.5); 6.2, 6.3 and 7.1–7.3 fill the numbers between.
public enum MongoDBWireVersion {
    private static let releases: [Int: String] = [
        2: "2.6", 3: "3.0", 4: "3.2", 5: "3.4", 6: "3.6", 7: "4.0", 8: "4.2", 9: "4.4",
        10: "4.7", 11: "4.8", 12: "4.9", 13: "5.0", 14: "5.1", 15: "5.2", 16: "5.3",
        17: "6.0", 18: "6.1", 19: "6.2", 20: "6.3", 21: "7.0", 22: "7.1", 23: "7.2", 24: "7.3", 25: "8.0",
    ]

    /// The newest wire version in the table; a larger one is a release newer than 8.0.
    public static let newestKnown = 25

    /// The `major.minor` release series (any patch of it) that speaks `maxWireVersion`, or `nil` when the number
    /// does not pin one (0 and 1 are pre-2.6 or unreleased; above ``newestKnown`` is newer than we know).
    public static func release(forMaxWireVersion wire: Int) -> String? {
        releases[wire]
    }
}
