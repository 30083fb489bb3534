import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `POST /api/upload` and `POST /api/upload/avatar` (http-api §11.1, §11.2). The `upload`
/// rate-limit bucket and the 12 MiB body cap are the edge's; everything else is here.
struct UploadsController {
    let service: UploadsService

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.post("/api/upload") { request, context in try await upload(request, context) }
        group.post("/api/upload/avatar") { request, context in try await avatar(request, context) }
    }

    struct UploadAnswer: Encodable, Sendable {
        var id: String
        var filename: String
        var mimeType: String
        var size: Int
        var url: String
    }

    func upload(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let maxSize = service.runtime.settings.int("upload.maxFileSize")
        let policy = UploadPolicy(maxSize: maxSize, allowedTypes: Set(FileTypeRules.extensions.keys),
                                  tooLarge: FileTypeRules.tooLarge(limit: maxSize), typeNotAllowed: FileTypeRules.typeNotAllowed)
        let file = try await service.receiver.receive(request, policy: policy)
        let name = FileTypeRules.storedName(for: file.mimeType)
        let key = StorageKey(name)!
        let id = String(name.prefix { $0 != "." })
        try await store(file, at: key)
        do {
            try await service.attachments.insert(.init(id: id, filename: file.filename, mimeType: file.mimeType, size: file.size,
                                                       url: key.url, uploadedBy: user.id))
        } catch {
            // No row, no file: a failed insert must not leave an unreachable file behind.
            try? await service.storage.delete(key)
            throw error
        }
        await service.runtime.audit(AuditEntry(
            userId: user.id, action: "file_upload", targetId: id, targetType: "file",
            metadata: ["filename": .string(file.filename), "mimeType": .string(file.mimeType), "size": .number(Double(file.size))],
            ipAddress: context.clientAddress))
        return ok(UploadAnswer(id: id, filename: file.filename, mimeType: file.mimeType, size: file.size, url: key.url))
    }

    struct AvatarAnswer: Encodable, Sendable {
        var avatarUrl: String
    }

    func avatar(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let policy = UploadPolicy(maxSize: FileTypeRules.avatarMaxSize, allowedTypes: FileTypeRules.avatarTypes,
                                  tooLarge: FileTypeRules.avatarTooLarge, typeNotAllowed: { _ in FileTypeRules.avatarTypeNotAllowed })
        let file = try await service.receiver.receive(request, policy: policy)
        let millis = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        // User ids are nanoids; one that is not a safe key segment cannot name a file.
        guard let key = StorageKey("avatar_\(user.id)_\(millis)\(FileTypeRules.extensions[file.mimeType] ?? "")") else {
            await file.spooled.remove()
            throw APIError(400, "Invalid user id")
        }
        let previous = (try? await service.storage.list(prefix: "avatar_\(user.id)")) ?? []
        try await store(file, at: key)
        do {
            try await service.recordAvatar(user.id, key.url)
        } catch {
            try? await service.storage.delete(key)
            throw error
        }
        // `avatar_<id>_…` of this user only: the next character after the id is `_`.
        for old in previous where old != key && old.value.hasPrefix("avatar_\(user.id)_") {
            try? await service.storage.delete(old)
        }
        return ok(AvatarAnswer(avatarUrl: key.url))
    }

    /// Moves the spooled file into storage; on failure the spool file goes too.
    private func store(_ file: ReceivedFile, at key: StorageKey) async throws {
        do {
            try await service.storage.store(file.spooled, at: key, contentType: file.mimeType)
        } catch {
            await file.spooled.remove()
            throw error
        }
    }
}
