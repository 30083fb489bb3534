import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps a long-running gateway's resident memory near what it uses (bench/cli-relay.py measures it).
/// Nearly all of an idle gateway's resident set is clean code of its own executable; anonymous
/// memory is a few MB, and arenas are what grows it.
public enum ResidentMemory {
    /// At most two malloc arenas: the cooperative pool, NIO and dispatch threads otherwise each
    /// grow an arena of their own while agents stream, and keep it.
    public static func limitMallocArenas() {
        #if canImport(Glibc)
        _ = glibcMallopt(-8, 2)   // M_ARENA_MAX (malloc.h, which Glibc's module does not export)
        #endif
    }
}

#if canImport(Glibc)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
