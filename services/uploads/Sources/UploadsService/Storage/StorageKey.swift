/// A name inside the storage: one or more `/`-separated segments, each starting with
/// `A-Za-z0-9_` and continuing with `A-Za-z0-9_.-`. Neither `..`, `.`, an empty segment,
/// a leading `/` nor a backslash can pass, so a key never leaves the upload directory or
/// the bucket: path traversal is impossible by construction, not by a later check.
struct StorageKey: Sendable, Hashable, CustomStringConvertible {
    let value: String
    var description: String { value }

    static let maxLength = 512
    static let maxSegments = 4

    init?(_ raw: some StringProtocol) {
        guard !raw.isEmpty, raw.utf8.count <= Self.maxLength else { return nil }
        let text = String(raw)
        let segments = text.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count <= Self.maxSegments, segments.allSatisfy({ Self.isSegment($0) }) else { return nil }
        value = text
    }

    /// The `/uploads/<key>` URL a file is served under.
    var url: String { "/uploads/" + value }

    /// The key of a `/uploads/<key>` URL, as stored in `message_attachments.url`.
    init?(url: String) {
        guard url.hasPrefix("/uploads/") else { return nil }
        self.init(url.dropFirst("/uploads/".count))
    }

    /// The last segment: what `Content-Type` is guessed from.
    var fileName: String { String(value.split(separator: "/").last ?? "") }

    private static func isSegment(_ segment: Substring) -> Bool {
        guard let first = segment.utf8.first, isWordByte(first), segment.utf8.count <= 255 else { return false }
        return segment.utf8.allSatisfy { isWordByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }
}
