import Foundation

/// A tab-separated manifest kept beside a test file: one expectation per line, `#` lines for comments, and `-`
/// for "none" in any column.
public enum ManifestTable {
    /// The rows of `name` (a path relative to the folder of `filePath`) that have exactly `columns` columns.
    public static func rows(_ name: String, besides filePath: String, columns: Int) -> [[String]] {
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent(name)
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return cells.count == columns ? cells : nil
        }
    }

    /// `nil` for the manifest's "none" marker.
    public static func value(_ cell: String) -> String? { cell == "-" ? nil : cell }
}
