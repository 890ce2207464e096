import Foundation

/// Instants as the documents give them, `2026-03-22T04:52:09Z` (ISO 8601, UTC, whole seconds), exactly as
/// `Date.formatted(.iso8601)` and the JSON encoder's `.iso8601` strategy write them, without a formatter: a
/// listing writes millions of them.
enum Timestamp {
    static func iso8601(_ date: Date) -> String {
        var bytes: [UInt8] = []
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the instant's text to `bytes`.
    static func append(_ date: Date, to bytes: inout [UInt8]) {
        // Seconds are cut, not rounded, as the formatter does; counted from 2001 as `Date` keeps them.
        let reference = date.timeIntervalSinceReferenceDate.rounded(.down)
        // From 1970 to 9999 only: before 1582 the formatter's calendar is the Julian one, after 9999 its years
        // have five digits, and day arithmetic is simplest on non-negative numbers.
        guard reference >= -978_307_200, reference < 252_423_993_600 else {
            return bytes.append(contentsOf: date.formatted(.iso8601).utf8)
        }
        let seconds = Int(reference) + 978_307_200
        let (days, second) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (year, month, day) = civil(days)
        digits(year, 4, &bytes)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2, &bytes)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2, &bytes)
        bytes.append(UInt8(ascii: "T"))
        digits(second / 3600, 2, &bytes)
        bytes.append(UInt8(ascii: ":"))
        digits(second / 60 % 60, 2, &bytes)
        bytes.append(UInt8(ascii: ":"))
        digits(second % 60, 2, &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// The Gregorian date `days` (not negative) after 1970-01-01, by Howard Hinnant's `civil_from_days`.
    private static func civil(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func digits(_ value: Int, _ width: Int, _ bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
