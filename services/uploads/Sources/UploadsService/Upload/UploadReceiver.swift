import AgentIMCore
import Foundation
import Hummingbird
import NIOCore

/// The rules one upload endpoint applies (http-api §11.1, §11.2).
struct UploadPolicy: Sendable {
    var maxSize: Int
    var allowedTypes: Set<String>
    var tooLarge: APIError
    var typeNotAllowed: @Sendable (String) -> APIError
}

/// A file part that passed every rule, complete in the spool.
struct ReceivedFile: Sendable {
    var filename: String
    var mimeType: String
    var spooled: SpooledFile
    var size: Int { spooled.size }
}

/// Reads a `multipart/form-data` request body as it streams in and spools its first part
/// named `file` (that has a file name) to disk, checking size and content on the way. No
/// more than one network chunk is held in memory. Anything that fails — a rule, a broken
/// body, a client that goes away — removes the spool file before the error leaves.
struct UploadReceiver {
    let spoolDirectory: String
    /// The whole body may not exceed the edge's upload limit, also when reached directly.
    static let bodyLimit = 12 << 20

    func receive(_ request: Request, policy: UploadPolicy) async throws -> ReceivedFile {
        guard let boundary = MultipartEvents.boundary(ofContentType: request.headers[.contentType]) else {
            throw FileTypeRules.noFile
        }
        let parser = MultipartEvents(boundary: boundary)
        var part = PartState()
        var file: FileState?
        var finished: FileState?
        var total = 0
        do {
            for try await chunk in request.body {
                total += chunk.readableBytes
                if total > Self.bodyLimit { throw APIError(413, "Request body too large") }
                let events: [MultipartEvents.Event]
                do {
                    events = try parser.feed(chunk)
                } catch {
                    throw FileTypeRules.noFile  // not multipart after all
                }
                for event in events {
                    switch event {
                    case .header(let name, let value):
                        part.headers.append((name.lowercased(), value))
                    case .body(let piece):
                        guard finished == nil, part.isFileField else { continue }
                        if file == nil { file = try await FileState.start(part: part, policy: policy, spoolDirectory: spoolDirectory) }
                        try await file?.append(piece)
                    case .partComplete:
                        if finished == nil, part.isFileField {
                            // An empty file part has no body event: start it here.
                            if let current = file {
                                finished = current
                            } else {
                                finished = try await FileState.start(part: part, policy: policy, spoolDirectory: spoolDirectory)
                            }
                            file = nil
                        }
                        part = PartState()
                    }
                }
            }
        } catch {
            await file?.discard()
            await finished?.discard()
            throw error
        }
        guard let finished else {
            await file?.discard()
            throw FileTypeRules.noFile
        }
        return try await finished.complete()
    }

    /// The headers of the part being read.
    struct PartState {
        var headers: [(String, String)] = []

        var disposition: ContentDisposition? {
            headers.first { $0.0 == "content-disposition" }.map { ContentDisposition($0.1) }
        }

        /// A part named `file` with a file name (a plain field named `file` is not a file).
        var isFileField: Bool {
            guard let disposition, disposition.name == "file", disposition.filename != nil else { return false }
            return true
        }

        /// Declared type; a part without one is `text/plain`, as browsers' form parsers take it.
        var mimeType: String {
            let raw = headers.first { $0.0 == "content-type" }?.1 ?? "text/plain"
            return raw.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }

        /// The client's file name without any directory part (`../../a.txt` → `a.txt`).
        var filename: String {
            let raw = disposition?.filename ?? ""
            return String(raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "")
        }
    }

    /// The file part while it streams: spooled only while it can still be accepted.
    final class FileState: @unchecked Sendable {
        let filename: String
        let mimeType: String
        let policy: UploadPolicy
        var writer: SpoolWriter?
        var check: ContentCheck
        var size = 0

        private init(filename: String, mimeType: String, policy: UploadPolicy, writer: SpoolWriter?) {
            self.filename = filename
            self.mimeType = mimeType
            self.policy = policy
            self.writer = writer
            check = ContentCheck(declaredType: mimeType)
        }

        static func start(part: PartState, policy: UploadPolicy, spoolDirectory: String) async throws -> FileState {
            let mimeType = part.mimeType
            // A type that will be refused is counted, never written.
            let writer = policy.allowedTypes.contains(mimeType)
                ? try await SpoolWriter.create(in: spoolDirectory, name: "upload-\(Nanoid.make())") : nil
            return FileState(filename: part.filename, mimeType: mimeType, policy: policy, writer: writer)
        }

        func append(_ piece: ByteBuffer) async throws {
            size += piece.readableBytes
            guard let writer else { return }
            if size > policy.maxSize {
                await writer.discard()
                self.writer = nil
                return
            }
            check.feed(piece)
            try await writer.write(piece)
        }

        /// The rules in the order of the original: size, then type, then content.
        func complete() async throws -> ReceivedFile {
            do {
                if size > policy.maxSize { throw policy.tooLarge }
                guard policy.allowedTypes.contains(mimeType), let writer else { throw policy.typeNotAllowed(mimeType) }
                guard check.matches() else { throw FileTypeRules.contentMismatch }
                self.writer = nil
                let spooled = try await writer.finish()
                return ReceivedFile(filename: filename, mimeType: mimeType, spooled: spooled)
            } catch {
                await discard()
                throw error
            }
        }

        func discard() async {
            await writer?.discard()
            writer = nil
        }
    }
}
