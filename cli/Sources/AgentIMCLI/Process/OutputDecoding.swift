import Foundation

/// Turns arbitrary read boundaries into whole UTF-8 text: a multi-byte character split across
/// two reads is held back until its remaining bytes arrive.
public struct UTF8ChunkDecoder: Sendable {
    private var pending = Data()
    public init() {}

    public mutating func decode(_ data: Data) -> String {
        pending.append(data)
        var cut = pending.count
        // Back up over an incomplete trailing sequence (at most 3 bytes).
        var index = pending.count - 1
        var steps = 0
        while index >= 0, steps < 4 {
            let byte = pending[pending.startIndex + index]
            if byte & 0b1100_0000 == 0b1000_0000 { index -= 1; steps += 1; continue }
            let need = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            if pending.count - index < need { cut = index }
            break
        }
        let ready = pending.prefix(cut)
        pending = Data(pending.suffix(from: pending.startIndex + cut))
        return String(decoding: ready, as: UTF8.self)
    }

    public mutating func flush() -> String {
        defer { pending = Data() }
        return String(decoding: pending, as: UTF8.self)
    }
}

/// Splits a byte stream into newline-terminated lines (NDJSON framing of the JSON agents).
public struct LineSplitter: Sendable {
    private var buffer = Data()
    public let maxLineBytes: Int
    public init(maxLineBytes: Int = OutputLimits.maxLineBytes) { self.maxLineBytes = maxLineBytes }

    public enum Failure: Error { case lineTooLong }

    public mutating func feed(_ data: Data) throws -> [String] {
        buffer.append(data)
        var lines: [String] = []
        while let newline = buffer.firstIndex(of: 0x0A) {
            let line = buffer[buffer.startIndex..<newline]
            lines.append(String(decoding: line, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\r")))
            buffer = Data(buffer[buffer.index(after: newline)...])
        }
        if buffer.count > maxLineBytes { throw Failure.lineTooLong }
        return lines
    }

    /// A last line without a newline at EOF.
    public mutating func finish() -> String? {
        defer { buffer = Data() }
        guard !buffer.isEmpty else { return nil }
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// Keeps the last stderr lines of a run for error messages (§12.2: last 20).
public struct StderrTail: Sendable {
    private var lines: [String] = []
    private var partial = ""
    public init() {}

    public mutating func append(_ text: String) {
        let parts = (partial + text).components(separatedBy: "\n")
        partial = parts.last ?? ""
        for line in parts.dropLast() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            lines.append(line)
        }
        if lines.count > OutputLimits.stderrTailLines { lines.removeFirst(lines.count - OutputLimits.stderrTailLines) }
    }

    public var text: String {
        var all = lines
        if !partial.trimmingCharacters(in: .whitespaces).isEmpty { all.append(partial) }
        return all.suffix(OutputLimits.stderrTailLines).joined(separator: "\n")
    }
}
