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
/// Each read is scanned once: only an unfinished last line is kept (and copied) between reads.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []
    public let maxLineBytes: Int
    public init(maxLineBytes: Int = OutputLimits.maxLineBytes) { self.maxLineBytes = maxLineBytes }

    public enum Failure: Error { case lineTooLong }

    public mutating func feed(_ data: Data) throws -> [String] {
        var lines: [String] = []
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count, let hit = memchr(base + start, 0x0A, bytes.count - start) {
                let newline = UnsafeRawPointer(hit) - base
                if pending.isEmpty {
                    lines.append(Self.line(UnsafeBufferPointer(rebasing: bytes[start..<newline])))
                } else {
                    pending.append(contentsOf: bytes[start..<newline])
                    lines.append(pending.withUnsafeBufferPointer(Self.line))
                    pending.removeAll(keepingCapacity: pending.capacity <= 1 << 16)
                }
                start = newline + 1
            }
            pending.append(contentsOf: bytes[start...])
        }
        if pending.count > maxLineBytes { throw Failure.lineTooLong }
        return lines
    }

    /// A line's text without leading or trailing carriage returns.
    private static func line(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var lower = 0, upper = bytes.count
        while lower < upper, bytes[lower] == 0x0D { lower += 1 }
        while upper > lower, bytes[upper - 1] == 0x0D { upper -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[lower..<upper]), as: UTF8.self)
    }

    /// A last line without a newline at EOF.
    public mutating func finish() -> String? {
        defer { pending = [] }
        guard !pending.isEmpty else { return nil }
        return String(decoding: pending, as: UTF8.self)
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
