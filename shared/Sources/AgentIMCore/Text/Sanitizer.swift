import Foundation

/// Text sanitisation of http-api §1.9 / data-config-security §3.7.
public enum Sanitizer {
    /// "Short text" (room names, display names, task titles): decode the five entities and
    /// delete every `<…>` run until stable, then `content`, then trim.
    public static func text(_ input: String) -> String {
        content(stripHTML(input)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public static func stripHTML(_ input: String) -> String {
        // Without `<` or `&` nothing below can match (most text): no regular expression runs.
        guard input.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "&") }) else { return input }
        var current = input
        while true {
            var next = current
            for (entity, replacement) in [("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"), ("&quot;", "\""), ("&#x27;", "'")] {
                next = next.replacingOccurrences(of: entity, with: replacement)
            }
            next = next.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
            if next == current { return next }
            current = next
        }
    }

    static let blockElements = ["script", "iframe", "object", "form", "svg", "math"]

    /// "Content" (message text, task descriptions): remove dangerous elements, event-handler
    /// attributes and script URLs inside tags; leave other text (markdown, `a < b`) alone.
    public static func content(_ input: String) -> String {
        // Every rule starts at a `<`: without one the text is returned as it is, and the dozen
        // regular expressions below (a seventh of the hub's time per chat message) do not run.
        guard input.utf8.contains(UInt8(ascii: "<")) else { return input }
        var current = input
        while true {
            var next = current
            for element in blockElements {
                next = next.replacingOccurrences(
                    of: "<\(element)\\b[^>]*>[\\s\\S]*?</\(element)\\s*>", with: "",
                    options: [.regularExpression, .caseInsensitive])
            }
            next = next.replacingOccurrences(of: "<embed\\b[^>]*>", with: "", options: [.regularExpression, .caseInsensitive])
            if next == current { break }
            current = next
        }
        return rewriteTags(current)
    }

    static let eventAttribute = try! NSRegularExpression(
        pattern: #"\s+on[a-z0-9_-]*\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)"#, options: [.caseInsensitive])
    static let scriptURL = try! NSRegularExpression(
        pattern: #"(\s+(?:href|src|action|formaction)\s*=\s*)("\s*(?:javascript|vbscript|data):[^"]*"|'\s*(?:javascript|vbscript|data):[^']*'|(?:javascript|vbscript|data):[^\s>]*)"#,
        options: [.caseInsensitive])
    static let openingTag = try! NSRegularExpression(pattern: #"<[a-zA-Z][^>]*>"#)

    /// Applies the attribute rules inside every opening tag only.
    static func rewriteTags(_ input: String) -> String {
        let ns = input as NSString
        let matches = openingTag.matches(in: input, range: NSRange(location: 0, length: ns.length))
        guard !matches.isEmpty else { return input }
        var result = ""
        var cursor = 0
        for match in matches {
            result += ns.substring(with: NSRange(location: cursor, length: match.range.location - cursor))
            var tag = ns.substring(with: match.range)
            tag = eventAttribute.stringByReplacingMatches(in: tag, range: NSRange(location: 0, length: (tag as NSString).length), withTemplate: "")
            tag = scriptURL.stringByReplacingMatches(in: tag, range: NSRange(location: 0, length: (tag as NSString).length), withTemplate: "$1\"\"")
            result += tag
            cursor = match.range.location + match.range.length
        }
        result += ns.substring(from: cursor)
        return result
    }
}

/// Mentions of websocket §10.2: `@` then `[A-Za-z0-9_][A-Za-z0-9_-]*`, in order of first
/// appearance, without duplicates.
public enum Mentions {
    public static func parse(_ content: String) -> [String] {
        var names: [String] = []
        var seen = Set<String>()
        let scalars = Array(content.unicodeScalars)
        var index = 0
        func isStart(_ s: Unicode.Scalar) -> Bool { s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_") }
        func isPart(_ s: Unicode.Scalar) -> Bool { isStart(s) || s == "-" }
        while index < scalars.count {
            if scalars[index] == "@", index + 1 < scalars.count, isStart(scalars[index + 1]) {
                var end = index + 1
                while end < scalars.count, isPart(scalars[end]) { end += 1 }
                let name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                if seen.insert(name).inserted { names.append(name) }
                index = end
            } else {
                index += 1
            }
        }
        return names
    }
}
