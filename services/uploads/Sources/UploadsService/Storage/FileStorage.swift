import Foundation
import Hummingbird

/// What the download route needs to know before it reads a stored file.
struct StoredFileInfo: Sendable {
    var size: Int
    /// The type recorded at upload (S3 keeps it; local files have none and use the extension).
    var contentType: String?
    /// A strong validator, quoted as it goes in the `ETag` header.
    var etag: String
}

/// Where uploaded files live. Two implementations: a local directory (`UPLOAD_DIR`) and an
/// S3-compatible bucket. Both take a file that is already complete in the spool and never
/// see a partial upload, so a rejected or aborted upload leaves nothing behind.
protocol FileStorage: Sendable {
    /// The directory uploads are spooled to before `store`: inside the upload directory for
    /// local storage (so storing is a rename), the system temporary directory for S3.
    var spoolDirectory: String { get }
    /// Moves or copies a finished spool file to `key`; the spool file is gone afterwards.
    func store(_ spooled: SpooledFile, at key: StorageKey, contentType: String) async throws
    /// `nil` when there is no such file.
    func info(_ key: StorageKey) async throws -> StoredFileInfo?
    /// Streams bytes `range` (inclusive, already clamped to the file) of `key`.
    func body(_ key: StorageKey, range: ClosedRange<Int>) -> ResponseBody
    /// Deleting a missing file is not an error.
    func delete(_ key: StorageKey) async throws
    /// Keys at the top level starting with `prefix` (for replacing avatars).
    func list(prefix: String) async throws -> [StorageKey]
    /// Whether the storage can be written now (health and start-up checks).
    func isWritable() async -> Bool
}

struct StorageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// The bucket refused a signed request: wrong credentials or a policy that denies it.
    static func forbidden(_ method: String, _ key: StorageKey) -> StorageError {
        StorageError("S3 \(method) \(key) forbidden (403): the credentials or the bucket policy refuse access")
    }
}
