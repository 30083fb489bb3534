import Foundation

/// Parses the lifetimes used for tokens (`15m`, `7d`, `3600`, `2 hours`): a number and an
/// optional unit. Returns seconds, or nil for anything else — configuration refuses such
/// values at start instead of silently falling back as the original does.
public enum TimeSpan {
    public static func seconds(_ raw: String) -> Int? {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, let amount = Int(digits), amount > 0 else { return nil }
        let unit = text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let multiplier: Int
        switch unit {
        case "", "s", "sec", "secs", "second", "seconds": multiplier = 1
        case "m", "min", "mins", "minute", "minutes": multiplier = 60
        case "h", "hr", "hrs", "hour", "hours": multiplier = 3600
        case "d", "day", "days": multiplier = 86_400
        case "w", "week", "weeks": multiplier = 604_800
        default: return nil
        }
        return amount * multiplier
    }
}

