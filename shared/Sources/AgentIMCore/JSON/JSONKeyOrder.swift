import Foundation

/// The keys of a JSON object in the order the document writes them. `JSONValue` keeps
/// objects as dictionaries, which lose that order; where an answer lists keys back (the
/// settings form's `updated` list and its joined errors) the client's order is kept.
public enum JSONKeyOrder {
    /// Keys of the object reached by following `path` from the top-level object; nil when
    /// the document is not valid JSON or the path does not lead to an object.
    public static func keys(in document: Data, at path: [String]) -> [String]? {
        var scanner = Scanner(bytes: Array(document))
        return try? scanner.keys(at: path[...])
    }

    struct Invalid: Error {}

    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func keys(at path: ArraySlice<String>) throws -> [String]? {
            skipSpace()
            guard peek() == UInt8(ascii: "{") else { return nil }
            index += 1
            var ordered: [String] = []
            var seen = Set<String>()
            var found: [String]?? = .none
            skipSpace()
            if peek() == UInt8(ascii: "}") { index += 1; return path.isEmpty ? [] : nil }
            while true {
                skipSpace()
                let key = try string()
                skipSpace()
                guard peek() == UInt8(ascii: ":") else { throw Invalid() }
                index += 1
                skipSpace()
                if let first = path.first, key == first {
                    // The last occurrence of a duplicated key wins, as in JavaScript.
                    let start = index
                    found = .some(try keys(at: path.dropFirst()))
                    index = start
                }
                try skipValue()
                if seen.insert(key).inserted { ordered.append(key) }
                skipSpace()
                guard let next = peek() else { throw Invalid() }
                index += 1
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { throw Invalid() }
            }
            if path.isEmpty { return ordered }
            return found ?? nil
        }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        /// A JSON string starting at `index`, decoded.
        mutating func string() throws -> String {
            guard peek() == UInt8(ascii: "\"") else { throw Invalid() }
            let start = index
            index += 1
            while let byte = peek() {
                index += 1
                if byte == UInt8(ascii: "\\") { index += 1; continue }
                if byte == UInt8(ascii: "\"") {
                    let literal = Data(bytes[start..<index])
                    guard let text = try? JSONDecoder().decode(String.self, from: literal) else { throw Invalid() }
                    return text
                }
            }
            throw Invalid()
        }

        mutating func skipValue() throws {
            skipSpace()
            guard let byte = peek() else { throw Invalid() }
            switch byte {
            case UInt8(ascii: "\""):
                _ = try string()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while let current = peek() {
                    if current == UInt8(ascii: "\"") { _ = try string(); continue }
                    index += 1
                    if current == UInt8(ascii: "{") || current == UInt8(ascii: "[") { depth += 1 }
                    if current == UInt8(ascii: "}") || current == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 { return }
                    }
                }
                throw Invalid()
            default:
                while let current = peek(), ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(current) {
                    index += 1
                }
            }
        }
    }
}
