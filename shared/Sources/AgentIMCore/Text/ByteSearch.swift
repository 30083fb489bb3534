#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a short needle first occurs in bytes: memchr jumps to each place of the needle's pivot
/// byte (one seldom in JSON text) and only there are the bytes compared. The hub looks into every
/// delivered frame this way (push's filter, the edges' message counter), where Foundation's
/// `range(of:)` or a byte-by-byte compare was a measurable share of the time per message.
public enum ByteSearch {
    /// The offset of `needle`'s first byte in `bytes`, or nil. `pivot`: the index in `needle` of
    /// the byte memchr looks for.
    public static func firstOffset(of needle: UnsafeRawBufferPointer, pivot: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, let needleBase = needle.baseAddress, bytes.count >= needle.count else { return nil }
        let end = bytes.count - (needle.count - pivot - 1)   // past the last place the pivot can be
        var from = pivot
        while from < end, let hit = memchr(base + from, Int32(needle[pivot]), end - from) {
            let start = base.distance(to: UnsafeRawPointer(hit)) - pivot
            if memcmp(base + start, needleBase, needle.count) == 0 { return start }
            from = start + pivot + 1
        }
        return nil
    }
}
