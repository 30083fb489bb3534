import AgentIMCore
import Crypto
import NIOCore
import NIOFileSystem

/// A complete upload waiting in the spool directory: its size and SHA-256 (the S3
/// signature covers the payload hash, so the bucket refuses a file altered on the way).
struct SpooledFile: Sendable {
    let path: FilePath
    let size: Int
    let sha256Hex: String

    func remove() async {
        _ = try? await FileSystem.shared.removeItem(at: path, strategy: .platformDefault, recursively: false)
    }
}

/// Writes one upload to the spool as it streams in. The file is created transactionally:
/// it becomes visible at its path only in `finish`, so a process that dies mid-upload or a
/// `discard` leaves no file at all.
final class SpoolWriter {
    private let handle: WriteFileHandle
    private let path: FilePath
    private var hash = SHA256()
    private(set) var size = 0
    private var open = true

    private init(handle: WriteFileHandle, path: FilePath) {
        self.handle = handle
        self.path = path
    }

    static func create(in directory: String, name: String) async throws -> SpoolWriter {
        let path = FilePath(directory).appending(name)
        let handle = try await FileSystem.shared.openFile(forWritingAt: path, options: .newFile(replaceExisting: false))
        return SpoolWriter(handle: handle, path: path)
    }

    func write(_ buffer: ByteBuffer) async throws {
        guard buffer.readableBytes > 0 else { return }
        buffer.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
        try await handle.write(contentsOf: buffer, toAbsoluteOffset: Int64(size))
        size += buffer.readableBytes
    }

    func finish() async throws -> SpooledFile {
        open = false
        try await handle.close(makeChangesVisible: true)
        let digest = Hex.encode(hash.finalize())
        return SpooledFile(path: path, size: size, sha256Hex: digest)
    }

    /// Drops what was written; safe to call more than once and after `finish` failed.
    func discard() async {
        guard open else { return }
        open = false
        try? await handle.close(makeChangesVisible: false)
    }
}
