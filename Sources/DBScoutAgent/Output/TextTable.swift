/// A plain-text table with left-aligned columns, as terminals and `less` show it well.
struct TextTable {
    let headers: [String]
    var rows: [[String]] = []

    func render() -> String {
        var widths = TextTable.widths(headers)
        for row in rows { widths = TextTable.widths(row, fitting: widths) }
        return ([headers] + rows).map { TextTable.line($0, widths: widths) }.joined()
    }

    /// The column widths that fit `cells` as well as columns of `widths` (none yet when empty).
    static func widths(_ cells: [String], fitting widths: [Int] = []) -> [Int] {
        cells.indices.map { max($0 < widths.count ? widths[$0] : 0, cells[$0].count) }
    }

    /// One line of a table whose columns are `widths` wide, with its line break; streamed listings write them
    /// one at a time.
    static func line(_ cells: [String], widths: [Int]) -> String {
        zip(cells, widths).map { cell, width in cell.padding(toLength: width) }.joined(separator: "  ")
            .trimmingTrailingSpaces() + "\n"
    }
}

extension String {
    fileprivate func padding(toLength width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
