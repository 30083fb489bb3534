import Foundation
import Hummingbird
import NIOCore
import NIOFileSystem
import NIOPosix

/// Files in `UPLOAD_DIR` (resolved against the working directory). Nested keys are
/// subdirectories. Uploads are spooled in `.incoming` inside it, so storing is one rename
/// on the same filesystem; a shared directory serves several uploads replicas alike.
struct LocalFileStorage: FileStorage {
    let root: FilePath
    let spoolDirectory: String

    init(directory: String) {
        let absolute = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        root = FilePath(absolute).lexicallyNormalized()
        spoolDirectory = root.appending(".incoming").string
    }

    /// Creates the upload and spool directories (at start, before serving).
    func prepare() async throws {
        try await FileSystem.shared.createDirectory(at: FilePath(spoolDirectory), withIntermediateDirectories: true, permissions: nil)
    }

    func path(of key: StorageKey) -> FilePath { root.appending(key.value) }

    func store(_ spooled: SpooledFile, at key: StorageKey, contentType: String) async throws {
        let target = path(of: key)
        if key.value.contains("/") {
            try await FileSystem.shared.createDirectory(at: target.removingLastComponent(), withIntermediateDirectories: true, permissions: nil)
        }
        // A replaced avatar keeps its name only by accident of the clock; never overwrite.
        try await FileSystem.shared.moveItem(at: spooled.path, to: target)
    }

    func info(_ key: StorageKey) async throws -> StoredFileInfo? {
        guard let info = try await FileSystem.shared.info(forFileAt: path(of: key), infoAboutSymbolicLink: false),
              info.type == .regular else { return nil }
        let modified = info.lastDataModificationTime
        let tag = "\(String(info.size, radix: 16))-\(String(modified.seconds, radix: 16))\(String(modified.nanoseconds, radix: 16))"
        return StoredFileInfo(size: Int(info.size), contentType: nil, etag: "\"\(tag)\"")
    }

    func body(_ key: StorageKey, range: ClosedRange<Int>) -> ResponseBody {
        let path = path(of: key)
        return ResponseBody(contentLength: range.count) { writer in
            try await FileSystem.shared.withFileHandle(forReadingAt: path) { handle in
                for try await chunk in handle.readChunks(in: Int64(range.lowerBound)...Int64(range.upperBound), chunkLength: .kibibytes(128)) {
                    try await writer.write(chunk)
                }
            }
            try await writer.finish(nil)
        }
    }

    func delete(_ key: StorageKey) async throws {
        try await FileSystem.shared.removeItem(at: path(of: key), strategy: .platformDefault, recursively: false)
    }

    func list(prefix: String) async throws -> [StorageKey] {
        var keys: [StorageKey] = []
        try await FileSystem.shared.withDirectoryHandle(atPath: root) { directory in
            for try await entry in directory.listContents() where entry.type == .regular && entry.name.string.hasPrefix(prefix) {
                if let key = StorageKey(entry.name.string) { keys.append(key) }
            }
        }
        return keys
    }

    func isWritable() async -> Bool {
        // access(2) on the thread pool, like every other file call here.
        let path = root.string
        return (try? await NIOThreadPool.singleton.runIfActive { access(path, W_OK) == 0 }) ?? false
    }
}
