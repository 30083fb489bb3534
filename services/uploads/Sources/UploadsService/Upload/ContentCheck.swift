import NIOCore

/// Checks that a file's bytes match its declared type while they stream past
/// (data-config-security §3.11): a signature at the start for binary types; for text types
/// strict UTF-8 with no NUL byte. Only the first 16 bytes and an unfinished UTF-8 sequence
/// (at most 3 bytes) are kept, so a large file is never held to check it.
struct ContentCheck {
    static let textTypes: Set<String> = ["text/plain", "text/markdown", "text/csv", "application/json"]
    static let signatures: [String: [UInt8]] = [
        "image/jpeg": [0xFF, 0xD8, 0xFF],
        "image/png": [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
        "image/gif": [0x47, 0x49, 0x46, 0x38],
        "image/webp": Array("RIFF".utf8),
        "application/pdf": Array("%PDF".utf8),
        "application/zip": [0x50, 0x4B, 0x03, 0x04],
        "application/x-zip-compressed": [0x50, 0x4B, 0x03, 0x04],
        "application/gzip": [0x1F, 0x8B],
    ]

    let declaredType: String
    private var head: [UInt8] = []
    private var utf8 = UTF8Validator()

    init(declaredType: String) { self.declaredType = declaredType }

    var isText: Bool { Self.textTypes.contains(declaredType) }

    mutating func feed(_ buffer: ByteBuffer) {
        if head.count < 16 {
            head.append(contentsOf: buffer.readableBytesView.prefix(16 - head.count))
        }
        if isText { buffer.withUnsafeReadableBytes { utf8.feed($0) } }
    }

    /// The verdict once every byte went through `feed`.
    func matches() -> Bool {
        if isText { return utf8.isValidAtEnd }
        guard let signature = Self.signatures[declaredType] else { return false }
        guard head.starts(with: signature) else { return false }
        if declaredType == "image/webp" {
            guard head.count >= 16, Array(head[8..<12]) == Array("WEBP".utf8) else { return false }
            let chunk = String(decoding: head[12..<16], as: UTF8.self)
            return chunk == "VP8 " || chunk == "VP8L" || chunk == "VP8X"
        }
        return true
    }
}

/// Strict UTF-8 validation (as a fatal `TextDecoder`: no overlongs, no surrogates, nothing
/// above U+10FFFF) fed in pieces; NUL bytes count as invalid for the upload rule.
struct UTF8Validator {
    private(set) var failed = false
    /// Continuation bytes still expected, and the allowed range of the next one.
    private var pending = 0
    private var nextLow: UInt8 = 0x80
    private var nextHigh: UInt8 = 0xBF

    var isValidAtEnd: Bool { !failed && pending == 0 }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard !failed else { return }
        var index = 0
        let count = bytes.count
        while index < count {
            // Plain ASCII eight bytes at a time: most text is.
            if pending == 0, index + 8 <= count {
                let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                // No high bit set and no zero byte in the word.
                if word & 0x8080_8080_8080_8080 == 0, (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                    continue
                }
            }
            let byte = bytes[index]
            index += 1
            if pending > 0 {
                guard byte >= nextLow && byte <= nextHigh else { failed = true; return }
                pending -= 1
                nextLow = 0x80
                nextHigh = 0xBF
                continue
            }
            switch byte {
            case 0x00: failed = true; return
            case 0x01...0x7F: continue
            case 0xC2...0xDF: pending = 1
            case 0xE0: pending = 2; nextLow = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: pending = 2
            case 0xED: pending = 2; nextHigh = 0x9F
            case 0xF0: pending = 3; nextLow = 0x90
            case 0xF1...0xF3: pending = 3
            case 0xF4: pending = 3; nextHigh = 0x8F
            default: failed = true; return
            }
        }
    }
}
