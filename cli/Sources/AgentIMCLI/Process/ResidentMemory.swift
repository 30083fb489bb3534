import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps a long-running gateway's resident memory near what it uses (bench/cli-relay.py measures it).
///
/// Nearly all of an idle gateway's resident set is clean code of its own executable, and most of
/// that was only run to start (argument parsing, config and token decryption, connecting, the
/// first registrations) or was mapped alongside it (the kernel maps code in windows of 64 KB and
/// more around each fault). Anonymous memory is a few MB.
public enum ResidentMemory {
    /// At most two malloc arenas: the cooperative pool, NIO and dispatch threads otherwise each
    /// grow an arena of their own while agents stream, and keep it.
    public static func limitMallocArenas() {
        #if canImport(Glibc)
        _ = glibcMallopt(-8, 2)   // M_ARENA_MAX (malloc.h, which Glibc's module does not export)
        #endif
    }

    /// Once start-up is over: drops this process's mappings of its executable's code pages. They
    /// stay in the page cache, and what is still used comes back on its next call (a minor fault,
    /// no disk read). Only the read-only, executable mapping of the binary: its pages are never
    /// written, so nothing is lost (other mappings hold relocated data and must stay).
    public static func releaseStartupCode() {
        #if os(Linux)
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return }
        for line in maps.split(separator: "\n") {
            // address perms offset dev inode path
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[1] == "r-xp", fields[5].trimmingCharacters(in: .whitespaces) == exe else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let low = UInt(bounds[0], radix: 16), let high = UInt(bounds[1], radix: 16), high > low,
                  let start = UnsafeMutableRawPointer(bitPattern: low) else { continue }
            _ = madvise(start, Int(high - low), MADV_DONTNEED)
        }
        #endif
    }
}

#if canImport(Glibc)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
